// Test support (not part of the package build): build a tiny model for an encoder × fusion
// pair, scramble its weights (so that zero-initialised FiLM/bias weights do not hide a wrong
// conversion), export it to ONNX, run it in onnxruntime-node and compare with tfjs.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { createRng } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { buildModel } from '../build-model.js';
import type { EncoderName, FusionName, ModelConfigInput } from '../model-config.js';
import { exportOnnx } from '../onnx/export-onnx.js';
import { tinyConfig } from './tiny-fixture.js';

/** Steps of the ONNX test schema. */
export const ONNX_T = 7;

/**
 * Series (2 channels), a categorical embedding, a numeric, a multi-categorical bag, a numeric
 * context and a categorical context (per-step bag), 3 classes. `timeSteps` null makes every
 * time axis variable.
 */
export function onnxSchema(timeSteps: number | null = ONNX_T, task: EncodedSchema['task'] = 'multiclass'): EncodedSchema {
  const T = timeSteps;
  return {
    channels: 2,
    timeSteps: T,
    inputs: [
      { name: 'series', shape: [T, 2], dtype: 'float32', role: 'series' },
      { name: 'mask', shape: [T], dtype: 'float32', role: 'mask' },
      { name: 'meta_kind', shape: [1], dtype: 'int32', role: 'metadata', field: 'kind' },
      { name: 'meta_age', shape: [2], dtype: 'float32', role: 'metadata', field: 'age' },
      { name: 'meta_tags', shape: [5], dtype: 'float32', role: 'metadata', field: 'tags' },
      { name: 'ctx_numeric', shape: [T, 1], dtype: 'float32', role: 'context', field: 'load' },
      { name: 'ctx_phase', shape: [T, 3], dtype: 'float32', role: 'context', field: 'phase' },
    ],
    fields: [
      { name: 'kind', kind: 'categorical', scope: 'static', width: 3, inputs: ['meta_kind'], cardinality: 5 },
      { name: 'age', kind: 'numeric', scope: 'static', width: 2, inputs: ['meta_age'] },
      { name: 'tags', kind: 'multiCategorical', scope: 'static', width: 2, inputs: ['meta_tags'] },
      { name: 'load', kind: 'numeric', scope: 'context', width: 1, inputs: ['ctx_numeric'] },
      { name: 'phase', kind: 'categorical', scope: 'context', width: 2, inputs: ['ctx_phase'] },
    ],
    metadataWidth: 7,
    contextWidth: 3,
    task,
    outputs: task === 'binary' || task === 'regression' ? 1 : 3,
  };
}

/**
 * Mask rows of the test batch: full, padded at the end, one real step, holes in the middle,
 * padded at the start, and no real step at all.
 */
export function onnxMasks(T: number): number[][] {
  const row = (f: (t: number) => boolean) => Array.from({ length: T }, (_, t) => (f(t) ? 1 : 0));
  return [row(() => true), row((t) => t < T - 3), row((t) => t === 0), row((t) => t % 3 !== 1), row((t) => t >= 2), row(() => false)];
}

/** A batch for `onnxSchema(T)`: random real steps, `99` in padded steps, every category index (0 missing, 1 unknown, 2.. known). */
export function onnxBatch(T: number, seed: number): Record<string, { data: Float32Array | Int32Array; shape: number[] }> {
  const rng = createRng(seed);
  const masks = onnxMasks(T);
  const B = masks.length;
  const fill = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  const stepValue = (b: number, t: number) => (masks[b]![t] ? rng.normal() : 99);
  return {
    series: { data: fill(B * T * 2, (i) => stepValue(Math.floor(i / (T * 2)), Math.floor(i / 2) % T)), shape: [B, T, 2] },
    mask: { data: Float32Array.from(masks.flat()), shape: [B, T] },
    meta_kind: { data: Int32Array.from({ length: B }, (_, b) => b % 5), shape: [B, 1] },
    meta_age: { data: fill(B * 2, () => rng.normal()), shape: [B, 2] },
    meta_tags: { data: fill(B * 5, (i) => ((i * 7) % 3 === 0 ? 0.5 : 0)), shape: [B, 5] },
    ctx_numeric: { data: fill(B * T, (i) => stepValue(Math.floor(i / T), i % T)), shape: [B, T, 1] },
    ctx_phase: { data: fill(B * T * 3, (i) => (Math.floor(i / 3) % 3 === i % 3 ? 1 : 0)), shape: [B, T, 3] },
  };
}

/** Adds seeded noise to every weight (moving variances stay positive). */
export function scrambleWeights(model: tfl.LayersModel, seed: number): void {
  const rng = createRng(seed);
  const names = model.weights.map((w) => w.originalName ?? w.name);
  const next = model.getWeights().map((w, i) => {
    const v = w.dataSync();
    const variance = names[i]!.endsWith('moving_variance');
    const out = Float32Array.from(v, (x) => (variance ? 0.5 + Math.abs(rng.normal()) : x + 0.3 * rng.normal()));
    return tf.tensor(out, w.shape);
  });
  model.setWeights(next);
  next.forEach((t) => t.dispose());
}

/** What {@link compareWithOnnx} measured. */
export interface OnnxComparison {
  /** Largest |tfjs − onnxruntime| per model output. */
  maxAbsDiff: Record<string, number>;
  /** Every output's shape as onnxruntime returned it. */
  shapes: Record<string, number[]>;
}

/** Exports `model`, runs it in onnxruntime-node on `batch` and compares each output with tfjs' prediction. */
export async function compareWithOnnx(model: tfl.LayersModel, batch: ReturnType<typeof onnxBatch>): Promise<OnnxComparison> {
  const bytes = exportOnnx(model);
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of model.inputNames) {
    const { data, shape } = batch[name]!;
    feeds[name] = new ort.Tensor(data instanceof Int32Array ? 'int32' : 'float32', data, shape);
  }
  const results = await session.run(feeds);
  const xs = model.inputNames.map((n) => {
    const { data, shape } = batch[n]!;
    return tf.tensor(data, shape, data instanceof Int32Array ? 'int32' : 'float32');
  });
  const predicted = model.predict(xs);
  const outs = Array.isArray(predicted) ? predicted : [predicted];
  const maxAbsDiff: Record<string, number> = {};
  const shapes: Record<string, number[]> = {};
  model.outputNames.forEach((name, i) => {
    const expected = outs[i]!.dataSync();
    const got = results[name]!.data as Float32Array;
    shapes[name] = [...results[name]!.dims];
    if (got.length !== expected.length) throw new Error(`${name}: onnxruntime gave ${got.length} values, tfjs ${expected.length}`);
    let worst = 0;
    for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k]! - expected[k]!));
    if (got.some((v) => !Number.isFinite(v))) worst = Infinity;
    maxAbsDiff[name] = worst;
  });
  [...xs, ...outs].forEach((t) => t.dispose());
  await session.release();
  return { maxAbsDiff, shapes };
}

/** Builds the tiny pair model on `onnxSchema(timeSteps)` with scrambled weights. */
export function onnxPairModel(encoder: EncoderName, fusion: FusionName, timeSteps: number | null = ONNX_T, extra: ModelConfigInput = {}, task: EncodedSchema['task'] = 'multiclass'): tfl.LayersModel {
  const model = buildModel({ ...tinyConfig, ...extra, encoder, fusion }, onnxSchema(timeSteps, task), { seed: 5 });
  scrambleWeights(model, 17);
  return model;
}
