import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { glorot, project, zeros, type Initializer, type LayerArgs } from './layer-args.js';

/** Arguments of {@link MultiHeadSelfAttention}. */
export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Number of attention heads. Default: `2`. */
  heads?: number;
  /** Width of each head's queries, keys and values. Default: input width / `heads`. */
  keyDim?: number;
  /** Seed of the weight initialisers (each weight uses `seed + k`). Default: unseeded. */
  seed?: number;
}

/**
 * `[x [B,T,d], mask [B,T]] → [B,T,d]`: scaled dot-product self-attention with `heads` heads
 * (Vaswani et al. 2017), where no step attends to a padded step. Query, key, value and output
 * projections are this layer's own weights.
 */
export class MultiHeadSelfAttention extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesMultiHeadSelfAttention';
  readonly heads: number;
  readonly keyDim: number | undefined;
  readonly seed: number | undefined;
  private weightsByName: Record<string, tfl.LayerVariable> = {};

  constructor(args: MultiHeadSelfAttentionArgs = {}) {
    super(args);
    this.heads = args.heads ?? 2;
    this.keyDim = args.keyDim;
    this.seed = args.seed;
    if (!Number.isInteger(this.heads) || this.heads < 1) throw new Error(`heads must be a positive integer, got ${this.heads}`);
  }

  private headDim(d: number): number {
    return this.keyDim ?? Math.max(1, Math.floor(d / this.heads));
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const d = (inputShape as tfl.Shape[])[0][2] as number;
    const inner = this.heads * this.headDim(d);
    const s = this.seed;
    const w = (name: string, shape: number[], init: Initializer) => {
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', init);
    };
    w('query_kernel', [d, inner], glorot(s));
    w('query_bias', [inner], zeros());
    w('key_kernel', [d, inner], glorot(s === undefined ? s : s + 1));
    w('key_bias', [inner], zeros());
    w('value_kernel', [d, inner], glorot(s === undefined ? s : s + 2));
    w('value_bias', [inner], zeros());
    w('output_kernel', [inner, d], glorot(s === undefined ? s : s + 3));
    w('output_bias', [d], zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (inputShape as tfl.Shape[])[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, maskIn] = inputs as tf.Tensor[];
      const [b, t, d] = x.shape as number[];
      const k = this.headDim(d);
      const h = this.heads;
      const v = (n: string) => this.weightsByName[n].read();
      const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, h, k]), [0, 2, 1, 3]);
      const q = split(project(x, v('query_kernel'), v('query_bias')));
      const key = split(project(x, v('key_kernel'), v('key_bias')));
      const val = split(project(x, v('value_kernel'), v('value_bias')));
      const scores = tf.div(tf.matMul(q, key, false, true), Math.sqrt(k)); // [B,h,T,T]
      const mask = tf.reshape(tf.cast(tf.notEqual(maskIn, 0), 'float32'), [b, 1, 1, t]);
      const masked = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
      const weights = tf.softmax(masked, -1);
      const context = tf.reshape(tf.transpose(tf.matMul(weights, val), [0, 2, 1, 3]), [b, t, h * k]);
      return project(context, v('output_kernel'), v('output_bias'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), heads: this.heads };
    if (this.keyDim !== undefined) config['keyDim'] = this.keyDim;
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);
