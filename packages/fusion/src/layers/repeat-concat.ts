import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './layer-args.js';

/** Arguments of {@link RepeatConcat} (only the base layer arguments). */
export type RepeatConcatArgs = LayerArgs;

/**
 * `[steps [B,T,F], vector [B,D]] → [B,T,F+D]`: repeats a static vector (the metadata) over
 * time and concatenates it to every step — early fusion.
 */
export class RepeatConcat extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesRepeatConcat';

  constructor(args: RepeatConcatArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [s, v] = inputShape as tfl.Shape[];
    return [s[0], s[1], (s[2] as number) + (v[1] as number)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, v] = inputs as tf.Tensor[];
      const repeated = tf.tile(tf.expandDims(v, 1), [1, x.shape[1] as number, 1]);
      return tf.concat([x, repeated], 2);
    });
  }
}
tf.serialization.registerClass(RepeatConcat);
