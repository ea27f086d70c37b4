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
 *
 * There is one query per record, so neither keys nor values are formed step by step: a head's
 * scores are `q·(xₜ·W_k + b_k) = xₜ·(W_k·q) + q·b_k` (the query taken into feature space once per
 * record), and its context is `Σₜ wₜ(xₜ·W_v + b_v) = (Σₜ wₜxₜ)·W_v + b_v·Σₜ wₜ`. The same maths
 * with `2·heads·F·(T + keyDim)` multiply-adds per record instead of `2·T·F·heads·keyDim`: on the
 * bench's M2 (T 100, F 64, one head of 64) the `[B·T, 64] · [64, 64]` projections and their
 * gradients were ~13 ms of a ~48 ms training step (matmul-profile.mjs); without them the step
 * took 34.8 ms instead of 48.6 (one thread, medians of four alternating runs). The weights are
 * the same ones, so saved models load and predict as before (to float rounding). The `q·b_k`
 * term does not change the softmax; it is kept so that `key_bias` has its (zero) gradient.
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
      const [b, t, f] = x.shape as [number, number, number];
      const h = this.heads;
      const k = this.keyDim;
      const v = (n: string) => this.weightsByName[n].read();
      const query = project(meta, v('query_kernel'), v('query_bias')); // [B, h·k]
      const q = tf.reshape(query, [b, h, k]);
      const byHead = (w: tf.Tensor) => tf.transpose(tf.reshape(w, [f, h, k]), [1, 0, 2]); // [F, h·k] → [h, F, k]
      const headMajor = (y: tf.Tensor) => tf.transpose(y, [1, 0, 2]); // [B, h, ·] ↔ [h, B, ·]
      // scores: xₜ·(W_k·q) + q·b_k, scaled
      const keyQuery = headMajor(tf.matMul(headMajor(q), byHead(v('key_kernel')), false, true)); // [B, h, F]
      const biasScore = tf.sum(tf.mul(q, tf.reshape(v('key_bias'), [1, h, k])), -1, true); // [B, h, 1]
      const scores = tf.div(tf.add(tf.matMul(keyQuery, x, false, true), biasScore), Math.sqrt(k)); // [B, h, T]
      const mask = tf.reshape(tf.cast(tf.notEqual(maskIn, 0), 'float32'), [b, 1, t]);
      const masked = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
      const weights = tf.mul(tf.softmax(masked, -1), mask); // exactly 0 on padded steps
      // context: (Σₜ wₜxₜ)·W_v + b_v·Σₜ wₜ
      const pooled = tf.matMul(weights, x); // [B, h, F]
      const projected = headMajor(tf.matMul(headMajor(pooled), byHead(v('value_kernel')))); // [B, h, k]
      const valueBias = tf.mul(tf.sum(weights, -1, true), tf.reshape(v('value_bias'), [1, h, k])); // [B, h, k]
      const context = tf.reshape(tf.add(projected, valueBias), [b, h * k]);
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
