import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { glorot, project, zeros, type Initializer, type LayerArgs } from './layer-args.js';

/** Arguments of {@link MetadataAttentionPooling}. */
export interface MetadataAttentionPoolingArgs extends LayerArgs {
  /** Number of attention heads. Default: `1`. */
  heads?: number;
  /** Width of each head's query, keys and values. Default: `32`. */
  keyDim?: number;
  /** Seed of the weight initialisers (each weight uses `seed + k`). Default: unseeded. */
  seed?: number;
}

/**
 * `[steps [B,T,F], metadata [B,D], mask [B,T]] → [summary [B, 2·heads·keyDim], weights [B,heads,T]]`.
 *
 * The metadata is projected to one query per head; the step features are projected to keys and
 * values; each head's weights are `softmax(q·kₜ / √keyDim)` over the real steps only (exactly 0
 * on padded steps, summing to 1 over the real ones). `summary` is the attention-weighted values
 * of every head followed by the queries themselves (context vector + query), ready for the head.
 */
export class MetadataAttentionPooling extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesMetadataAttentionPooling';
  readonly heads: number;
  readonly keyDim: number;
  readonly seed: number | undefined;
  private weightsByName: Record<string, tfl.LayerVariable> = {};

  constructor(args: MetadataAttentionPoolingArgs = {}) {
    super(args);
    this.heads = args.heads ?? 1;
    this.keyDim = args.keyDim ?? 32;
    this.seed = args.seed;
    for (const [name, value] of [['heads', this.heads], ['keyDim', this.keyDim]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
    }
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [steps, meta] = inputShape as tfl.Shape[];
    const f = steps[2] as number;
    const d = meta[1] as number;
    const inner = this.heads * this.keyDim;
    const s = this.seed;
    const w = (name: string, shape: number[], init: Initializer) => {
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', init);
    };
    w('query_kernel', [d, inner], glorot(s));
    w('query_bias', [inner], zeros());
    w('key_kernel', [f, inner], glorot(s === undefined ? s : s + 1));
    w('key_bias', [inner], zeros());
    w('value_kernel', [f, inner], glorot(s === undefined ? s : s + 2));
    w('value_bias', [inner], zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    const [steps] = inputShape as tfl.Shape[];
    return [
      [steps[0], 2 * this.heads * this.keyDim],
      [steps[0], this.heads, steps[1]],
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const [x, meta, maskIn] = inputs as tf.Tensor[];
      const [b, t] = x.shape as number[];
      const h = this.heads;
      const k = this.keyDim;
      const v = (n: string) => this.weightsByName[n].read();
      const query = project(meta, v('query_kernel'), v('query_bias')); // [B, h·k]
      const q = tf.reshape(query, [b, h, 1, k]);
      const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, h, k]), [0, 2, 1, 3]);
      const keys = split(project(x, v('key_kernel'), v('key_bias'))); // [B,h,T,k]
      const values = split(project(x, v('value_kernel'), v('value_bias')));
      const scores = tf.reshape(tf.div(tf.matMul(q, keys, false, true), Math.sqrt(k)), [b, h, t]);
      const mask = tf.reshape(tf.cast(tf.notEqual(maskIn, 0), 'float32'), [b, 1, t]);
      const masked = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
      const weights = tf.mul(tf.softmax(masked, -1), mask); // exactly 0 on padded steps
      const context = tf.reshape(tf.matMul(tf.expandDims(weights, 2), values), [b, h * k]);
      return [tf.concat([context, query], 1), weights];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), heads: this.heads, keyDim: this.keyDim };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}
tf.serialization.registerClass(MetadataAttentionPooling);
