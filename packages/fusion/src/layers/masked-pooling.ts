import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './layer-args.js';

/** How a sequence of step features `[B,T,F]` becomes one vector `[B,F]`. */
export type PoolingMode = 'mean' | 'last';

/** Arguments of {@link MaskedPooling}. */
export interface MaskedPoolingArgs extends LayerArgs {
  /**
   * `mean`: average of the features over the real steps (global average pooling that ignores
   * padding). `last`: the features at the last real step (the final state of a recurrent
   * encoder). Default: `'mean'`.
   */
  mode?: PoolingMode;
}

/**
 * `[steps [B,T,F], mask [B,T]] → [B,F]`: pools step features over the real steps only, so padded
 * steps never reach the output. A record with no real step pools to zeros.
 */
export class MaskedPooling extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesMaskedPooling';
  readonly mode: PoolingMode;

  constructor(args: MaskedPoolingArgs = {}) {
    super(args);
    this.mode = args.mode ?? 'mean';
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (inputShape as tfl.Shape[])[0];
    return [s[0], s[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, maskIn] = inputs as tf.Tensor[];
      const mask = tf.cast(tf.notEqual(maskIn, 0), 'float32');
      if (this.mode === 'mean') {
        const total = tf.sum(tf.mul(x, tf.expandDims(mask, -1)), 1);
        const count = tf.maximum(tf.sum(mask, 1, true), 1);
        return tf.div(total, count);
      }
      // last real step: one-hot of the largest index t with mask = 1.
      const t = mask.shape[1] as number;
      const positions = tf.add(tf.range(0, t, 1, 'float32'), 1);
      const lastIndex = tf.argMax(tf.mul(mask, positions), 1);
      const pick = tf.mul(tf.oneHot(lastIndex, t), mask);
      return tf.sum(tf.mul(x, tf.expandDims(pick, -1)), 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(MaskedPooling);
