import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import type { LayerArgs } from './layer-args.js';

/** Arguments of {@link ApplyMask}. */
export interface ApplyMaskArgs extends LayerArgs {
  /**
   * Whether the layer also hands the mask on to the next layers through tfjs-layers' mask
   * propagation, so that a recurrent layer that follows skips the padded steps (keeps its state
   * over them). Default: `false`.
   */
  propagate?: boolean;
}

/**
 * `[x [B,T,F], mask [B,T]] → x · mask`: zeroes every padded step so that its values cannot reach
 * any later layer. With `propagate`, an LSTM or GRU that follows also receives the mask and
 * carries its state over padded steps.
 */
export class ApplyMask extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesApplyMask';
  readonly propagate: boolean;

  constructor(args: ApplyMaskArgs = {}) {
    super(args);
    this.propagate = args.propagate ?? false;
    this.supportsMasking = this.propagate;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (inputShape as tfl.Shape[])[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask] = inputs as tf.Tensor[];
      return tf.mul(x, tf.expandDims(tf.cast(mask, x.dtype), -1));
    });
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    // tfjs-layers' typing says a mask is always returned; null means "no mask" at run time.
    if (!this.propagate) return null as unknown as tf.Tensor;
    // A new tensor: tfjs-layers disposes the masks it propagates after a call.
    return tf.notEqual((inputs as tf.Tensor[])[1], 0);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), propagate: this.propagate };
  }
}
tf.serialization.registerClass(ApplyMask);
