import * as tf from '@tensorflow/tfjs-core';
import type { TensorData } from './tensor-data.js';

/** A tensor holding `d`'s values (the inverse of reading a tensor into {@link TensorData}). */
export function tensorFromData(d: TensorData): tf.Tensor {
  return tf.tensor(d.data, d.shape, d.dtype);
}
