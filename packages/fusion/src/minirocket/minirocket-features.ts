import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, MetaseriesError } from '@metaseries/core';
import type { Initializer, LayerArgs } from '../layers/layer-args.js';
import {
  drawChannelMask,
  fitBiases,
  fitDilations,
  KERNEL_COUNT,
  KERNEL_LENGTH,
  kernelWeight,
  realLengths,
  type MiniRocketDilations,
  type MiniRocketExamples,
} from './minirocket-parameters.js';

/** Arguments of {@link MiniRocketFeatures}. */
export interface MiniRocketFeaturesArgs extends LayerArgs {
  /**
   * Features asked for; the layer gives the largest multiple of 84 not above it (the reference's
   * rounding: 10,000 → 9,996). Default: `10000`.
   */
  numFeatures?: number;
  /** Most dilations per kernel (fewer when the series is short). Default: `32`. */
  maxDilationsPerKernel?: number;
  /** Seed of the channel combinations (multivariate) and of the training examples the biases come from. Default: `0`. */
  seed?: number;
}

/** Records per chunk of a call (each dilation's convolution output is `[chunk, T, 84]`). */
const CHUNK = 64;

/**
 * MiniRocket (Dempster et al. 2021) as a layer: `[x [B,T,C], mask [B,T]] → features [B,F]`.
 * Each of 84 fixed kernels of length 9 convolves the series at each of a set of dilations (over
 * a random subset of the channels when there are several); each feature is the proportion of
 * real steps where that convolution exceeds a bias (PPV), then standardised.
 *
 * Nothing here is trained by gradient. The biases (quantiles of training examples' convolution
 * outputs) and the standardisation (the training features' mean and spread) are fitted on the
 * training split by {@link MiniRocketFeatures.adapt} (through fusion's `adaptModel`), and are
 * saved with the model as non-trainable weights; a model that was never adapted refuses to run.
 * Padded steps (mask 0) are left out of every proportion, so unequal lengths work; the
 * dilations follow the padded length `T`, which must be fixed.
 */
export class MiniRocketFeatures extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesMiniRocket';
  readonly numFeatures: number;
  readonly maxDilationsPerKernel: number;
  readonly seed: number;
  private dil: MiniRocketDilations | null = null;
  private channels = 0;
  private weightsByName: Record<string, tfl.LayerVariable> = {};

  constructor(args: MiniRocketFeaturesArgs = {}) {
    super({ ...args, trainable: false });
    this.numFeatures = args.numFeatures ?? 10_000;
    this.maxDilationsPerKernel = args.maxDilationsPerKernel ?? 32;
    this.seed = args.seed ?? 0;
    if (!Number.isInteger(this.numFeatures) || this.numFeatures < KERNEL_COUNT) {
      throw new MetaseriesError(
        'FUSION_INVALID_CONFIG',
        `minirocket.numFeatures must be an integer of at least ${KERNEL_COUNT}`,
        {
          field: 'minirocket.numFeatures',
          value: this.numFeatures,
          expected: `integer >= ${KERNEL_COUNT}`,
        },
      );
    }
    if (!Number.isInteger(this.maxDilationsPerKernel) || this.maxDilationsPerKernel < 1) {
      throw new MetaseriesError(
        'FUSION_INVALID_CONFIG',
        'minirocket.maxDilationsPerKernel must be a positive integer',
        {
          field: 'minirocket.maxDilationsPerKernel',
          value: this.maxDilationsPerKernel,
          expected: 'integer >= 1',
        },
      );
    }
  }

  /** Dilations and features per dilation (known once built). */
  get dilations(): MiniRocketDilations {
    if (!this.dil) throw new Error('MiniRocketFeatures: not built yet');
    return this.dil;
  }

  /** Number of features the layer outputs (84 × features per kernel), once built. */
  get outputFeatures(): number {
    return KERNEL_COUNT * this.dilations.featuresPerDilation.reduce((s, n) => s + n, 0);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [x] = inputShape as tfl.Shape[];
    const timeSteps = x![1];
    if (typeof timeSteps !== 'number') {
      throw new MetaseriesError(
        'FUSION_INVALID_CONFIG',
        'the minirocket encoder needs a fixed series length (its dilations follow it): give the data a fixed length (data.maxLength) or use another encoder',
        {
          field: 'encoder',
          value: 'minirocket',
          expected: 'a fixed timeSteps',
        },
      );
    }
    this.channels = x![2] as number;
    this.dil = fitDilations(timeSteps, this.numFeatures, this.maxDilationsPerKernel);
    const f = this.outputFeatures;
    const combos = this.dil.dilations.length * KERNEL_COUNT;
    const add = (name: string, shape: number[], init: Initializer) => {
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', init, undefined, false);
    };
    add('channel_mask', [combos, this.channels], tfl.initializers.zeros());
    add('biases', [f], tfl.initializers.zeros());
    add('feature_mean', [f], tfl.initializers.zeros());
    add('feature_scale', [f], tfl.initializers.ones());
    add('fitted', [1], tfl.initializers.zeros());
    // the channel combinations depend on the seed alone: drawn now, so a built layer is complete but for its biases
    const mask = drawChannelMask(combos, this.channels, createRng(this.seed));
    this.weightsByName['channel_mask']!.write(tf.tensor2d(mask, [combos, this.channels]));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [x] = inputShape as tfl.Shape[];
    const dil =
      this.dil ?? fitDilations(x![1] as number, this.numFeatures, this.maxDilationsPerKernel);
    return [x![0]!, KERNEL_COUNT * dil.featuresPerDilation.reduce((s, n) => s + n, 0)];
  }

  /** Whether the biases and standardisation have been fitted (by {@link adapt}, or loaded). */
  get fitted(): boolean {
    return this.built && this.read('fitted')[0] === 1;
  }

  /**
   * Fits the biases on the training examples (as the reference does: per dilation and kernel,
   * quantiles of the convolution output of one example drawn with the layer's seed), then the
   * standardisation on the training features. `examples.x` is what the layer reads (`[N,T,C]`,
   * padded steps zero) and `examples.lengths` the real steps of each.
   */
  adapt(examples: MiniRocketExamples): void {
    if (!this.built) throw new Error('MiniRocketFeatures: build the model before adapting it');
    if (examples.count < 1)
      throw new MetaseriesError(
        'FUSION_INVALID_CONFIG',
        'minirocket: adapting needs at least one training example',
        { field: 'examples', value: 0, expected: '>= 1' },
      );
    const mask = this.read('channel_mask');
    const biases = fitBiases(examples, this.dilations, mask, createRng(this.seed + 1));
    this.weightsByName['biases']!.write(tf.tensor1d(biases));
    const { x, count, timeSteps: T, channels: C, lengths } = examples;
    const xs = tf.tensor3d(x, [count, T, C]);
    const raw = this.rawFeatures(xs, lengths);
    xs.dispose();
    const f = this.outputFeatures;
    const sum = new Float64Array(f);
    const sq = new Float64Array(f);
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < f; j++) {
        const a = raw[r * f + j]!;
        sum[j] += a;
        sq[j] += a * a;
      }
    }
    const mean = Float32Array.from(sum, (s) => s / count);
    // population spread, as scikit-learn's StandardScaler; a constant feature keeps scale 1
    const scale = Float32Array.from(sq, (q, j) => {
      const sd = Math.sqrt(Math.max(0, q / count - mean[j]! * mean[j]!));
      return sd > 1e-6 ? sd : 1;
    });
    this.weightsByName['feature_mean']!.write(tf.tensor1d(mean));
    this.weightsByName['feature_scale']!.write(tf.tensor1d(scale));
    this.weightsByName['fitted']!.write(tf.tensor1d([1]));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!this.fitted) {
      throw new MetaseriesError(
        'FUSION_NOT_ADAPTED',
        `layer ${this.name}: MiniRocket's biases are fitted on the training split; call adaptModel(model, inputs) before training or predicting`,
        { field: this.name, expected: 'adaptModel(model, trainInputs)' },
      );
    }
    const [x, mask] = inputs as tf.Tensor[];
    const [B, T] = x!.shape as number[];
    const lengths = realLengths(mask!.dataSync(), B!, T!);
    const xm = tf.tidy(() => tf.mul(x!, tf.expandDims(tf.cast(mask!, x!.dtype), 2)));
    const out = this.rawFeatures(xm, lengths);
    xm.dispose();
    const mean = this.read('feature_mean');
    const scale = this.read('feature_scale');
    const f = this.outputFeatures;
    for (let i = 0; i < out.length; i++) out[i] = (out[i]! - mean[i % f]!) / scale[i % f]!;
    return tf.tensor2d(out, [B!, f]);
  }

  private read(name: string): Float32Array {
    return this.weightsByName[name]!.read().dataSync() as Float32Array;
  }

  /**
   * The PPV features `[B × F]` before standardisation of `x` (`[B,T,C]`, padded steps zero;
   * `lengths` the real steps of each record). The convolutions run on the backend, `CHUNK`
   * records at a time; the proportions are counted here: comparing every step with every bias
   * as broadcast tensor ops was ~30× slower on wasm.
   */
  private rawFeatures(x: tf.Tensor, lengths: ArrayLike<number>): Float32Array {
    const [B, T, C] = x.shape as number[];
    const channelMask = this.read('channel_mask');
    const biases = this.read('biases');
    const dil = this.dilations;
    const F = this.outputFeatures;
    const out = new Float32Array(B! * F);
    // the filter [9, C, 84] of each dilation: kernel k's weights on the channels of its combination
    const filters = dil.dilations.map((_, di) => {
      const filter = new Float32Array(KERNEL_LENGTH * C! * KERNEL_COUNT);
      for (let j = 0; j < KERNEL_LENGTH; j++) {
        for (let c = 0; c < C!; c++) {
          for (let k = 0; k < KERNEL_COUNT; k++)
            filter[(j * C! + c) * KERNEL_COUNT + k] =
              kernelWeight(k, j) * channelMask[(di * KERNEL_COUNT + k) * C! + c]!;
        }
      }
      return tf.tensor3d(filter, [KERNEL_LENGTH, C!, KERNEL_COUNT]);
    });
    for (let s = 0; s < B!; s += CHUNK) {
      const rows = Math.min(CHUNK, B! - s);
      const xs = tf.slice(x, [s, 0, 0], [rows, -1, -1]) as tf.Tensor3D;
      let f0 = 0;
      dil.dilations.forEach((d, di) => {
        const n = dil.featuresPerDilation[di]!;
        const pad = ((KERNEL_LENGTH - 1) * d) / 2;
        const conv = tf.conv1d(xs, filters[di]!, 1, 'same', 'NWC', d); // [rows,T,84]
        const v = conv.dataSync();
        conv.dispose();
        for (let r = 0; r < rows; r++) {
          const len = lengths[s + r]!;
          const row = (s + r) * F;
          for (let k = 0; k < KERNEL_COUNT; k++) {
            // every other kernel (alternating with the dilation) counts only the steps its padding does not reach
            const inner = (di + k) % 2 === 1;
            const lo = inner ? pad : 0;
            const hi = inner ? len - pad : len;
            const count = hi - lo;
            if (count <= 0) continue; // a series too short for this dilation: 0
            const fk = f0 + k * n;
            for (let i = 0; i < n; i++) {
              const bias = biases[fk + i]!;
              let above = 0;
              for (
                let t = lo, at = (r * T! + lo) * KERNEL_COUNT + k;
                t < hi;
                t++, at += KERNEL_COUNT
              )
                if (v[at]! > bias) above++;
              out[row + fk + i] = above / count;
            }
          }
        }
        f0 += KERNEL_COUNT * n;
      });
      xs.dispose();
    }
    tf.dispose(filters);
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numFeatures: this.numFeatures,
      maxDilationsPerKernel: this.maxDilationsPerKernel,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(MiniRocketFeatures);
