// Test support (not part of the package build): a tiny encoded schema, tiny model sizes and
// seeded batches shared by the fusion tests.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EncodedSchema } from '@metaseries/encoders';
import type { ModelConfigInput } from '../model-config.js';

/** Steps of the tiny schema. */
export const TINY_T = 6;

/** Two channels, a categorical (4 values → 3), two numerics, one context numeric, 3 classes. */
export const tinySchema: EncodedSchema = {
  channels: 2,
  timeSteps: TINY_T,
  inputs: [
    { name: 'series', shape: [TINY_T, 2], dtype: 'float32', role: 'series' },
    { name: 'mask', shape: [TINY_T], dtype: 'float32', role: 'mask' },
    { name: 'meta_kind', shape: [1], dtype: 'int32', role: 'metadata', field: 'kind' },
    { name: 'meta_age', shape: [2], dtype: 'float32', role: 'metadata', field: 'age' },
    { name: 'ctx_numeric', shape: [TINY_T, 1], dtype: 'float32', role: 'context', field: 'mode' },
  ],
  fields: [
    { name: 'kind', kind: 'categorical', scope: 'static', width: 3, inputs: ['meta_kind'], cardinality: 4 },
    { name: 'age', kind: 'numeric', scope: 'static', width: 2, inputs: ['meta_age'] },
    { name: 'mode', kind: 'numeric', scope: 'context', width: 1, inputs: ['ctx_numeric'] },
  ],
  metadataWidth: 5,
  contextWidth: 1,
  task: 'multiclass',
  outputs: 3,
};

/** Every encoder at a few units, so that 36 models build and run in seconds. */
export const tinyConfig: ModelConfigInput = {
  recurrent: { units: [4, 3] },
  fcn: { filters: [4, 4], kernelSizes: [3, 2] },
  resnet: { filters: [4, 5], kernelSizes: [3, 2, 1] },
  inception: { depth: 3, filters: 2, bottleneck: 2, kernelSizes: [4, 2] },
  transformer: { dModel: 4, heads: 2, layers: 1, feedForward: 8 },
  attention: { heads: 2, keyDim: 3 },
  metadataUnits: [4],
  headUnits: 8,
  dropout: 0.1,
};

/** A batch of `lengths.length` records; record i has `lengths[i]` real steps, padded with `padValue`. */
export function tinyBatch(lengths: number[], padValue: number, seed: number): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const b = lengths.length;
    const T = TINY_T;
    const series = tf.randomNormal([b, T, 2], 0, 1, 'float32', seed);
    const ctx = tf.randomNormal([b, T, 1], 0, 1, 'float32', seed + 1);
    const maskData = new Float32Array(b * T);
    lengths.forEach((len, i) => maskData.fill(1, i * T, i * T + len));
    const mask = tf.tensor2d(maskData, [b, T]);
    const pad = tf.expandDims(tf.sub(1, mask), -1);
    const keep = tf.expandDims(mask, -1);
    return {
      series: tf.add(tf.mul(series, keep), tf.mul(pad, padValue)),
      mask,
      meta_kind: tf.tensor2d(lengths.map((_, i) => i % 4), [b, 1], 'int32'),
      meta_age: tf.randomNormal([b, 2], 0, 1, 'float32', seed + 2),
      ctx_numeric: tf.add(tf.mul(ctx, keep), tf.mul(pad, -padValue)),
    };
  });
}

/** The batch's tensors in `model.inputNames` order. */
export function feed(model: tfl.LayersModel, data: Record<string, tf.Tensor>): tf.Tensor[] {
  return model.inputNames.map((n) => data[n]);
}
