// The DESIGN benchmark workloads built with metaseries: B=64, T=100, F=3 channels, one
// categorical field (10 categories -> 8) and 3 numeric fields, 5 classes, Adam.
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@metaseries/core';
import { MetadataEncoder } from '@metaseries/encoders';
import { buildModel } from '@metaseries/fusion';

export const B = 64;
export const T = 100;
export const F = 3;
export const CLASSES = 5;

/** Model id -> metaseries model config (the PyTorch twins are in reference/torch_models.py). */
export const WORKLOADS = {
  M0: { encoder: 'lstm', fusion: 'none' },
  M1: { encoder: 'lstm', fusion: 'early' },
  M2: { encoder: 'lstm', fusion: 'attention' },
  M3: { encoder: 'lstm', fusion: 'late' },
  C1: { encoder: 'fcn', fusion: 'late' },
};

export const schema = {
  version: 1,
  channels: ['x', 'y', 'z'],
  metadata: {
    kind: { kind: 'categorical', embedding: 8 },
    a: { kind: 'numeric' },
    b: { kind: 'numeric' },
    c: { kind: 'numeric' },
  },
  context: {},
  label: { name: 'label', task: 'multiclass', classes: ['0', '1', '2', '3', '4'] },
};

/** Synthetic records with the workload's shape (values do not matter for speed). */
export function makeRecords(n, seed = 1) {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    values: Array.from({ length: F }, () => Float32Array.from({ length: T }, () => rng.normal())),
    metadata: { kind: `k${rng.int(10)}`, a: rng.normal(), b: rng.normal(), c: rng.normal() },
    label: String(rng.int(CLASSES)),
  }));
}

/** Builds a workload's model and the encoded schema of its inputs. */
export function buildWorkload(id, records, seed = 1) {
  const encoder = MetadataEncoder.fit(schema, records, {});
  const encoded = encoder.encodedSchema({ channels: F, timeSteps: T, task: 'multiclass', outputs: CLASSES });
  // Same shapes as the PyTorch twins: LSTM(64), no hidden head, no dropout, attention width 64,
  // a 32-unit metadata MLP for late fusion.
  const model = buildModel(
    { ...WORKLOADS[id], recurrent: { units: [64], bidirectional: false }, headUnits: 0, dropout: 0, attention: { heads: 1, keyDim: 64 }, metadataUnits: [32] },
    encoded,
    { seed, learningRate: 1e-3 },
  );
  return { model, encoded, encoder };
}

/**
 * Seeded random inputs for every input of a workload's model as plain typed data, by input name:
 * masks all ones, category indices within each field's cardinality, series values in [-1, 1).
 */
export function workloadInputs(model, encoded, batch, seed = 12345) {
  const rng = createRng(seed);
  return Object.fromEntries(
    model.inputNames.map((n) => {
      const spec = encoded.inputs.find((s) => s.name === n);
      const shape = [batch, ...spec.shape.map((d) => (d === null ? T : d))];
      const size = shape.reduce((a, b) => a * b, 1);
      if (spec.dtype === 'int32') {
        const card = encoded.fields.find((f) => f.name === spec.field)?.cardinality ?? 2;
        return [n, { dtype: 'int32', shape, data: Int32Array.from({ length: size }, () => rng.int(card)) }];
      }
      const data = spec.role === 'mask' ? new Float32Array(size).fill(1) : Float32Array.from({ length: size }, () => rng.next() * 2 - 1);
      return [n, { dtype: 'float32', shape, data }];
    }),
  );
}

/** `workloadInputs` as tensors, in the model's input order. */
export function workloadTensors(model, encoded, batch, seed) {
  const inputs = workloadInputs(model, encoded, batch, seed);
  return model.inputNames.map((n) => tf.tensor(inputs[n].data, inputs[n].shape, inputs[n].dtype));
}

/** Training targets of a batch: one-hot labels `i mod CLASSES`, and zeros for any further output (attention weights). */
export function workloadTargets(model, batch) {
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  return model.outputs.length > 1 ? [ys, ...model.outputs.slice(1).map((o) => tf.zeros([batch, ...o.shape.slice(1)]))] : ys;
}
