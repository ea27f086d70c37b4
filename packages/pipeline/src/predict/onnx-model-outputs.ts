import type { SeriesRecord } from '@metaseries/core';
import type { FittedPreprocessing } from '../preprocess/fitted-preprocessing.js';
import type { ModelOutputs } from './model-outputs.js';
import type { OnnxPredictor } from './onnx-predictor.js';

/** Name of the attention output of an `attention` fusion model. */
const ATTENTION_OUTPUT = 'attention';

/** `p` recalibrated with temperature `t`, as `model-outputs.ts` does in tfjs (softmax or sigmoid of the scaled logits). */
function withTemperature(row: Float32Array, t: number, softmax: boolean): void {
  const eps = 1e-7;
  const q = Array.from(row, (v) => Math.min(Math.max(v, eps), 1 - eps));
  if (softmax) {
    const z = q.map((v) => Math.log(v) / t);
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (row[k] = v / sum));
  } else {
    q.forEach((v, k) => (row[k] = 1 / (1 + Math.exp(-(Math.log(v) - Math.log(1 - v)) / t))));
  }
}

/**
 * {@link ModelOutputs} of `records` computed by onnxruntime: batches of `batchSize` encoded with
 * the fitted preprocessing, the preprocessing's temperature applied.
 */
export async function onnxModelOutputs(predictor: OnnxPredictor, prep: FittedPreprocessing, records: readonly SeriesRecord[], batchSize: number): Promise<ModelOutputs> {
  const K = prep.state.encoded.outputs;
  const N = records.length;
  const predictions = new Float32Array(N * K);
  const temperature = prep.state.temperature;
  const task = prep.state.encoded.task;
  let attention: ModelOutputs['attention'];
  for (let s = 0; s < N; s += batchSize) {
    const chunk = records.slice(s, s + batchSize);
    const out = await predictor.run(prep.inputs(chunk));
    const p = out[prep.state.outputName];
    if (!p) throw new Error(`the ONNX model has no output ${prep.state.outputName}`);
    predictions.set(p.data, s * K);
    if (temperature !== 1 && task !== 'regression') {
      for (let i = s; i < s + chunk.length; i++) withTemperature(predictions.subarray(i * K, (i + 1) * K), temperature, task === 'multiclass');
    }
    const a = out[ATTENTION_OUTPUT];
    if (a) {
      const [, heads, steps] = a.dims as [number, number, number];
      attention ??= { data: new Float32Array(N * heads * steps), heads, steps };
      attention.data.set(a.data, s * heads * steps);
    }
  }
  return { predictions, width: K, ...(attention && { attention }) };
}
