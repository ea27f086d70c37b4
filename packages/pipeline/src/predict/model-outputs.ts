import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SeriesRecord } from '@metaseries/core';
import type { FittedPreprocessing } from '../preprocess/fitted-preprocessing.js';

/** Name of the attention output of an `attention` fusion model. */
const ATTENTION_OUTPUT = 'attention';

/** Raw model outputs of a set of records, row-major. */
export interface ModelOutputs {
  /** Predictions `[N, K]` (probabilities, or scaled values for regression). */
  predictions: Float32Array;
  /** Outputs per record, K. */
  width: number;
  /** Attention weights `[N, heads, T]` when the model has them. */
  attention?: { data: Float32Array; heads: number; steps: number };
}

/**
 * Runs `model` over `records` in batches of `batchSize` (never all records as one tensor),
 * encoding each batch with the fitted preprocessing. Applies the preprocessing's temperature.
 */
export function modelOutputs(model: tfl.LayersModel, prep: FittedPreprocessing, records: readonly SeriesRecord[], batchSize: number): ModelOutputs {
  const K = prep.state.encoded.outputs;
  const N = records.length;
  const predictions = new Float32Array(N * K);
  const outIndex = model.outputNames.indexOf(prep.state.outputName);
  const attIndex = model.outputNames.indexOf(ATTENTION_OUTPUT);
  let attention: ModelOutputs['attention'];
  const temperature = prep.state.temperature;
  const task = prep.state.encoded.task;
  for (let s = 0; s < N; s += batchSize) {
    const chunk = records.slice(s, s + batchSize);
    const data = prep.inputs(chunk);
    tf.tidy(() => {
      const inputs = model.inputNames.map((n) => tf.tensor(data[n]!.data, data[n]!.shape, data[n]!.dtype));
      const out = model.predict(inputs) as tf.Tensor | tf.Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      let p = outs[Math.max(0, outIndex)]!;
      if (temperature !== 1 && task !== 'regression') p = withTemperature(p, temperature, task === 'multiclass');
      predictions.set(p.dataSync() as Float32Array, s * K);
      if (attIndex >= 0) {
        const a = outs[attIndex]!;
        const [, heads, steps] = a.shape as number[];
        if (!attention) attention = { data: new Float32Array(N * heads! * steps!), heads: heads!, steps: steps! };
        attention.data.set(a.dataSync() as Float32Array, s * heads! * steps!);
      }
    });
  }
  return { predictions, width: K, ...(attention && { attention }) };
}

function withTemperature(p: tf.Tensor, t: number, softmax: boolean): tf.Tensor {
  const eps = 1e-7;
  const q = tf.clipByValue(p, eps, 1 - eps);
  if (softmax) return tf.softmax(tf.div(tf.log(q), t));
  return tf.sigmoid(tf.div(tf.sub(tf.log(q), tf.log(tf.sub(1, q))), t));
}
