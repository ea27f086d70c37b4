import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** tfjs-layers' base `LayerArgs` (name, trainable, inputShape, ...), which its index does not export. */
/** A tfjs-layers weight initialiser. */
export type Initializer = ReturnType<typeof tfl.initializers.zeros>;

export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** A seeded Glorot-uniform initialiser; `seed` undefined draws from tfjs' global generator. */
export function glorot(seed: number | undefined): Initializer {
  return tfl.initializers.glorotUniform({ seed });
}

/** Zeros for biases and identity-initialised modulations. */
export function zeros(): Initializer {
  return tfl.initializers.zeros();
}

/** `x [..., F] · w [F, U] + b [U]` for any rank of `x`. */
export function project(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const f = x.shape[x.shape.length - 1];
  const flat = tf.reshape(x, [-1, f]);
  let y = tf.matMul(flat, w as tf.Tensor2D);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1] as number]);
}
