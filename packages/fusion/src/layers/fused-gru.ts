import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gruSequence, type GruRecurrentActivation } from '@metaseries/core';
import type { LayerArgs } from './layer-args.js';

/** Arguments of {@link FusedGru}. */
export interface FusedGruArgs extends LayerArgs {
  /** Hidden units U. Required. */
  units: number;
  /** Return every step `[B, T, U]` (true) or the last state `[B, U]` (false). Default: `true`. */
  returnSequences?: boolean;
  /**
   * Seed of the kernel and recurrent-kernel initialisers (both Glorot-uniform, the recurrent one
   * seeded `seed + 1`, as the unfused GRU encoder did). Default: unseeded.
   */
  seed?: number;
  /** Activation of the update (z) and reset (r) gates. Default: `'hardSigmoid'` (tfjs-layers' GRU default). */
  recurrentActivation?: GruRecurrentActivation;
}

/**
 * A GRU over `[x [B,T,F], mask [B,T]]` that runs the whole sequence in core's fused kernel
 * (`gruSequence`: one kernel forward, one backward) instead of tfjs-layers' per-step ops. Same
 * maths and the same weights (`kernel [F,3U]`, `recurrent_kernel [U,3U]`, `bias [3U]`, gates
 * z, r, h) as tfjs-layers' GRU; padded steps (mask 0) carry the previous state, so the last step
 * holds the last real state.
 */
export class FusedGru extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesFusedGru';
  readonly units: number;
  readonly returnSequences: boolean;
  readonly seed: number | undefined;
  readonly recurrentActivation: GruRecurrentActivation;
  private kernel!: tfl.LayerVariable;
  private recurrentKernel!: tfl.LayerVariable;
  private bias!: tfl.LayerVariable;

  constructor(args: FusedGruArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) throw new Error(`FusedGru: units must be a positive integer, got ${args.units}`);
    const activation = args.recurrentActivation ?? 'hardSigmoid';
    if (activation !== 'hardSigmoid' && activation !== 'sigmoid') {
      throw new Error(`FusedGru: recurrentActivation must be 'hardSigmoid' or 'sigmoid', got '${String(activation)}'`);
    }
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? true;
    this.seed = args.seed ?? undefined;
    this.recurrentActivation = activation;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const features = xShape[xShape.length - 1] as number;
    const U = this.units;
    const seed = this.seed;
    this.kernel = this.addWeight('kernel', [features, 3 * U], 'float32', tfl.initializers.glorotUniform({ seed }));
    this.recurrentKernel = this.addWeight('recurrent_kernel', [U, 3 * U], 'float32', tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + 1 }));
    this.bias = this.addWeight('bias', [3 * U], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return this.returnSequences ? [xShape[0]!, xShape[1]!, this.units] : [xShape[0]!, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      const mask = list[1] ? (tf.cast(list[1], 'float32') as tf.Tensor2D) : undefined;
      const seq = gruSequence(
        x,
        this.kernel.read() as tf.Tensor2D,
        this.recurrentKernel.read() as tf.Tensor2D,
        this.bias.read() as tf.Tensor1D,
        mask,
        this.recurrentActivation,
      );
      if (this.returnSequences) return seq;
      const [B, T, U] = seq.shape;
      return tf.reshape(tf.slice(seq, [0, T - 1, 0], [B, 1, U]), [B, U]);
    });
  }

  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      returnSequences: this.returnSequences,
      seed: this.seed ?? null,
      recurrentActivation: this.recurrentActivation,
    };
  }
}
tf.serialization.registerClass(FusedGru);
