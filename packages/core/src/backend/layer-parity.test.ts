import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from './init-backend.js';
import { createRng } from '../random.js';

/**
 * Every layer metaseries trains, as tfjs-layers builds it, must give the same output, the same
 * weight gradients and the same Adam update on wasm as on cpu (cpu is tfjs' reference backend).
 * This is also the probe for missing kernels: a kernel wasm lacks fails here with
 * "Kernel '…' not registered for backend 'wasm'".
 *
 * Tolerance: |wasm − cpu| ≤ 1e-4 + 1e-4·|cpu| per element (float32 sums run in a different order).
 */
const TOL = 1e-4;
const B = 4;
const T = 6;
const F = 3;

function seededArray(size: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.normal() * scale);
}

/** Inputs as plain arrays, so both backends see the same values. */
type InputSpec = { shape: number[]; dtype: 'float32' | 'int32'; values: Float32Array | Int32Array };

interface LayerCase {
  name: string;
  build: () => tfl.LayersModel;
  inputs: InputSpec[];
}

function floatInput(shape: number[], seed: number, zeroTailSteps = 0): InputSpec {
  const values = seededArray(shape.reduce((a, b) => a * b, 1), seed);
  if (zeroTailSteps > 0) {
    // zero the last `zeroTailSteps` steps of every other sequence (what Masking skips)
    const [b, t, f] = shape as [number, number, number];
    for (let i = 0; i < b; i += 2) for (let s = t - zeroTailSteps; s < t; s++) values.fill(0, (i * t + s) * f, (i * t + s + 1) * f);
  }
  return { shape, dtype: 'float32', values };
}

const seriesIn = () => tfl.input({ shape: [T, F] });
const dense = (units: number, activation?: 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'softmax') =>
  tfl.layers.dense({ units, activation });
const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

const cases: LayerCase[] = [
  {
    name: 'Embedding + Dense',
    build: () => {
      const i = tfl.input({ shape: [5], dtype: 'int32' });
      return tfl.model({ inputs: i, outputs: apply(dense(2), apply(tfl.layers.flatten(), apply(tfl.layers.embedding({ inputDim: 6, outputDim: 3 }), i))) });
    },
    inputs: [{ shape: [B, 5], dtype: 'int32', values: Int32Array.from([0, 3, 3, 5, 1, 2, 2, 2, 0, 4, 5, 5, 1, 0, 3, 4, 4, 1, 0, 2]) }],
  },
  {
    name: 'LSTM',
    build: () => {
      const i = seriesIn();
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.lstm({ units: 4, returnSequences: true }), i) });
    },
    inputs: [floatInput([B, T, F], 1)],
  },
  {
    name: 'GRU',
    build: () => {
      const i = seriesIn();
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.gru({ units: 4 }), i) });
    },
    inputs: [floatInput([B, T, F], 2)],
  },
  {
    name: 'Bidirectional LSTM',
    build: () => {
      const i = seriesIn();
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.bidirectional({ layer: tfl.layers.lstm({ units: 3 }) as tfl.RNN }), i) });
    },
    inputs: [floatInput([B, T, F], 3)],
  },
  {
    name: 'Masking + LSTM',
    build: () => {
      const i = seriesIn();
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.lstm({ units: 3 }), apply(tfl.layers.masking({ maskValue: 0 }), i)) });
    },
    inputs: [floatInput([B, T, F], 4, 2)],
  },
  {
    name: 'Conv1D same + ReLU + MaxPooling1D + GlobalAveragePooling1D',
    build: () => {
      const i = seriesIn();
      const c = apply(tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), i);
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.globalAveragePooling1d(), apply(tfl.layers.maxPooling1d({ poolSize: 2 }), c)) });
    },
    inputs: [floatInput([B, T, F], 5)],
  },
  {
    name: 'Conv1D valid stride 2 + GlobalMaxPooling1D',
    build: () => {
      const i = seriesIn();
      const c = apply(tfl.layers.conv1d({ filters: 5, kernelSize: 2, strides: 2, padding: 'valid' }), i);
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.globalMaxPooling1d(), c) });
    },
    inputs: [floatInput([B, T, F], 6)],
  },
  {
    name: 'BatchNormalization (training) + Dense',
    build: () => {
      const i = seriesIn();
      return tfl.model({ inputs: i, outputs: apply(dense(2), apply(tfl.layers.flatten(), apply(tfl.layers.batchNormalization(), i))) });
    },
    inputs: [floatInput([B, T, F], 7)],
  },
  {
    name: 'LayerNormalization + Dense',
    build: () => {
      const i = seriesIn();
      return tfl.model({ inputs: i, outputs: apply(dense(2), apply(tfl.layers.flatten(), apply(tfl.layers.layerNormalization(), i))) });
    },
    inputs: [floatInput([B, T, F], 8)],
  },
  {
    name: 'Dense relu/elu/tanh/sigmoid/softmax',
    build: () => {
      const i = tfl.input({ shape: [F] });
      const h = apply(dense(4, 'sigmoid'), apply(dense(4, 'tanh'), apply(dense(5, 'elu'), apply(dense(5, 'relu'), i))));
      return tfl.model({ inputs: i, outputs: apply(dense(3, 'softmax'), h) });
    },
    inputs: [floatInput([B, F], 9)],
  },
  {
    name: 'softmax attention (Dot, softmax, Dot)',
    build: () => {
      const i = seriesIn();
      const q = apply(dense(4), i);
      const k = apply(dense(4), i);
      const scores = apply(tfl.layers.activation({ activation: 'softmax' }), apply(tfl.layers.dot({ axes: 2 }), [q, k]));
      return tfl.model({ inputs: i, outputs: apply(tfl.layers.dot({ axes: [2, 1] }), [scores, i]) });
    },
    inputs: [floatInput([B, T, F], 10)],
  },
  {
    name: 'fusion joins (Concatenate, Add, Multiply)',
    build: () => {
      const s = tfl.input({ shape: [F] });
      const m = tfl.input({ shape: [2] });
      const a = apply(dense(3), m);
      const gate = apply(dense(3, 'sigmoid'), m);
      const joined = apply(tfl.layers.multiply(), [apply(tfl.layers.add(), [s, a]), gate]);
      return tfl.model({ inputs: [s, m], outputs: apply(dense(2), apply(tfl.layers.concatenate(), [joined, m])) });
    },
    inputs: [floatInput([B, F], 11), floatInput([B, 2], 12)],
  },
];

interface Result {
  output: Float32Array;
  grads: Float32Array[];
  afterAdam: Float32Array[];
}

/** Output, weight gradients of sum(output · r), and the weights after 3 Adam steps with fixed gradients. */
function run(backend: 'cpu' | 'wasm', c: LayerCase, weights: Float32Array[] | undefined, adamGrads: Float32Array[] | undefined): Result & { weights: Float32Array[]; startTrainable: Float32Array[] } {
  tf.setBackend(backend);
  tf.util.assert(tf.getBackend() === backend, () => `backend ${backend} is not active`);
  const model = c.build();
  try {
    // Seeded starting weights (tfjs' own initializers draw from an unseeded source), then the
    // very same values on the second backend.
    const given = model.weights.map((w, i) => {
      const shape = w.read().shape;
      if (weights) return tf.tensor(weights[i]!, shape);
      const v = seededArray(w.read().size, 1000 + i, 0.5);
      if (/moving_variance/.test(w.name)) v.forEach((x, j) => (v[j] = Math.abs(x) + 0.5));
      return tf.tensor(v, shape);
    });
    model.setWeights(given);
    tf.dispose(given);
    const start = model.weights.map((w) => w.read().dataSync().slice() as Float32Array);
    const startTrainable = model.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
    const result = tf.tidy(() => {
      const xs = c.inputs.map((s) => tf.tensor(s.values, s.shape, s.dtype));
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      let output: Float32Array | undefined;
      const { grads } = tf.variableGrads(() => {
        const y = model.apply(xs.length === 1 ? xs[0]! : xs, { training: true }) as tf.Tensor;
        output = y.dataSync().slice() as Float32Array;
        return tf.sum(tf.mul(y, tf.tensor(seededArray(y.size, 99), y.shape)));
      }, vars);
      return { output: output!, grads: vars.map((v) => grads[v.name]!.dataSync().slice() as Float32Array) };
    });
    // Adam with gradients given from outside, identical on both backends, so only the
    // optimizer's own kernels are compared (its first step normalises tiny gradients to ±lr).
    const fixedGrads = adamGrads ?? result.grads;
    const adam = tf.train.adam(0.01);
    for (let step = 0; step < 3; step++) {
      const named = model.trainableWeights.map((w, i) => {
        const v = w.read() as tf.Variable;
        return { name: v.name, tensor: tf.tidy(() => tf.mul(tf.tensor(fixedGrads[i]!, v.shape), step + 1)) };
      });
      adam.applyGradients(named);
      tf.dispose(named.map((n) => n.tensor));
    }
    adam.dispose();
    const afterAdam = model.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
    return { ...result, afterAdam, weights: start, startTrainable };
  } finally {
    model.layers.forEach((l) => l.dispose());
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    worst = Math.max(worst, d);
    expect(d).toBeLessThanOrEqual(TOL + TOL * Math.abs(a[i]!));
  }
  return worst;
}

describe('every layer metaseries trains gives the same output, gradient and Adam step on wasm as on cpu', () => {
  const table: string[] = [];

  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm' });
  });

  afterAll(() => {
    console.log(
      ['| layer | weights | output max abs diff | gradient max abs diff | after 3 Adam steps max abs diff |', '|---|---|---|---|---|']
        .concat(table)
        .join('\n'),
    );
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const cpu = run('cpu', c, undefined, undefined);
    const wasm = run('wasm', c, cpu.weights, cpu.grads);
    const out = maxDiff(cpu.output, wasm.output);
    expect(wasm.grads.length).toBe(cpu.grads.length);
    expect(cpu.grads.length).toBeGreaterThan(0);
    const grad = Math.max(...cpu.grads.map((g, i) => maxDiff(g, wasm.grads[i]!)));
    // the gradient must not be trivially zero, or the comparison says nothing
    expect(Math.max(...cpu.grads.map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-3);
    const adam = Math.max(...cpu.afterAdam.map((w, i) => maxDiff(w, wasm.afterAdam[i]!)));
    // Adam did move the weights on wasm (so the comparison above is not of two untouched copies)
    expect(wasm.afterAdam).toHaveLength(cpu.grads.length);
    const moved = Math.max(...wasm.afterAdam.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - wasm.startTrainable[i]![j]!)))));
    expect(moved).toBeGreaterThan(0.01);
    table.push(`| ${c.name} | ${cpu.grads.length} | ${out.toExponential(2)} | ${grad.toExponential(2)} | ${adam.toExponential(2)} |`);
  });
});
