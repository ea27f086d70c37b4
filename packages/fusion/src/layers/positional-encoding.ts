import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './layer-args.js';

/** Arguments of {@link PositionalEncoding} (only the base layer arguments). */
export type PositionalEncodingArgs = LayerArgs;

/**
 * `[B,T,d] → [B,T,d]`: adds the sinusoidal position code of Vaswani et al. (2017),
 * `PE(t, 2i) = sin(t / 10000^(2i/d))`, `PE(t, 2i+1) = cos(t / 10000^(2i/d))`. No weights; works
 * for any `T`.
 */
export class PositionalEncoding extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesPositionalEncoding';

  constructor(args: PositionalEncodingArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return inputShape as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const t = x.shape[1] as number;
      const d = x.shape[2] as number;
      const code = new Float32Array(t * d);
      for (let pos = 0; pos < t; pos++) {
        for (let i = 0; i < d; i++) {
          const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
          code[pos * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
        }
      }
      return tf.add(x, tf.tensor3d(code, [1, t, d]));
    });
  }
}
tf.serialization.registerClass(PositionalEncoding);
