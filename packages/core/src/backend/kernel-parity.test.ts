import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node build registers no gradients; tfjs-layers' bundle registers them all (every
// model we train goes through tfjs-layers, so this is how users get them too).
import '@tensorflow/tfjs-layers';
import { initBackend } from './init-backend.js';
import { createRng } from '../random.js';

/**
 * Every op that Embedding, LSTM, GRU, Conv1D, BatchNormalization, Dense, LayerNormalization,
 * masking, softmax attention and Adam need: forward value and gradient on wasm must match cpu.
 * Tolerance: 1e-4 absolute + 1e-4 relative (float32 summation order differs between backends).
 */
const TOL = 1e-4;

function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * scale), shape);
}

type Case = { name: string; inputs: () => tf.Tensor[]; f: (...xs: tf.Tensor[]) => tf.Tensor };

const cases: Case[] = [
  {
    name: 'gather / Embedding (UnsortedSegmentSum)',
    inputs: () => [seeded([7, 4], 1)],
    f: (e) => tf.sum(tf.mul(tf.gather(e, tf.tensor1d([0, 3, 3, 6, 1, 0], 'int32')), seeded([6, 4], 2))),
  },
  {
    name: 'conv1d same (Conv2DBackpropFilter, Conv2DBackpropInput)',
    inputs: () => [seeded([2, 9, 3], 3), seeded([4, 3, 5], 4)],
    f: (x, w) => tf.sum(tf.square(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same'))),
  },
  {
    name: 'conv1d same, even kernel (asymmetric padding), many channels',
    inputs: () => [seeded([3, 20, 6], 31), seeded([8, 6, 7], 32)],
    f: (x, w) => tf.sum(tf.mul(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same'), seeded([3, 20, 7], 33))),
  },
  {
    name: 'conv1d same stride 2',
    inputs: () => [seeded([2, 13, 3], 34), seeded([5, 3, 4], 35)],
    f: (x, w) => tf.sum(tf.square(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same'))),
  },
  {
    name: 'conv1d valid stride 2',
    inputs: () => [seeded([2, 11, 2], 5), seeded([3, 2, 4], 6)],
    f: (x, w) => tf.sum(tf.mul(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'valid'), 0.5)),
  },
  {
    name: 'matMul with transpose flags (Dense, LSTM/GRU gates)',
    inputs: () => [seeded([5, 6], 7), seeded([4, 6], 8)],
    f: (a, b) => tf.sum(tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true))),
  },
  {
    name: 'batched matMul + softmax (attention)',
    inputs: () => [seeded([2, 5, 4], 9), seeded([2, 5, 4], 10)],
    f: (q, k) =>
      tf.sum(tf.mul(tf.softmax(tf.div(tf.matMul(q, k, false, true), 2)), seeded([2, 5, 5], 11))),
  },
  {
    name: 'LSTM cell ops (sigmoid, tanh, mul, add, slice, concat)',
    inputs: () => [seeded([3, 8], 12), seeded([8, 16], 13)],
    f: (x, w) => {
      const z = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
      const [i, f, c, o] = tf.split(z, 4, 1);
      const cNew = tf.add(tf.mul(tf.sigmoid(f!), 0.3), tf.mul(tf.sigmoid(i!), tf.tanh(c!)));
      return tf.sum(tf.mul(tf.sigmoid(o!), tf.tanh(cNew)));
    },
  },
  {
    name: 'batch / layer normalisation (moments, rsqrt)',
    inputs: () => [seeded([4, 6], 14)],
    f: (x) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.sum(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), seeded([4, 6], 15)));
    },
  },
  {
    name: 'masking (where, greater, cast)',
    inputs: () => [seeded([3, 5], 16)],
    f: (x) => {
      // masks are computed from inputs, not from what is differentiated
      const m = seeded([3, 5], 18);
      return tf.sum(tf.where(tf.greater(m, 0), tf.square(x), tf.mul(x, tf.cast(tf.less(m, -0.5), 'float32'))));
    },
  },
  {
    name: 'fusion ops (tile, addN, maximum, elu, transpose, mean)',
    inputs: () => [seeded([2, 3], 19), seeded([2, 3], 20)],
    f: (a, b) =>
      tf.sum(
        tf.mul(
          tf.elu(tf.addN([tf.tile(tf.mean(tf.transpose(tf.expandDims(a, 0), [0, 2, 1]), 2), [2, 1]), b, tf.maximum(a, b)])),
          seeded([2, 3], 21),
        ),
      ),
  },
  {
    name: 'loss ops (clipByValue, log, squaredDifference, sqrt)',
    inputs: () => [seeded([4, 3], 22)],
    f: (x) =>
      tf.add(
        tf.neg(tf.sum(tf.log(tf.clipByValue(tf.sigmoid(x), 1e-7, 1 - 1e-7)))),
        tf.sqrt(tf.sum(tf.squaredDifference(x, seeded([4, 3], 23)))),
      ),
  },
  {
    name: 'log-softmax cross-entropy',
    inputs: () => [seeded([4, 5], 17)],
    f: (x) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(tf.tensor1d([0, 2, 4, 1], 'int32'), 5)))),
  },
];

async function evaluate(backend: 'cpu' | 'wasm', c: Case): Promise<{ value: number; grads: Float32Array[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = c.inputs();
    const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => c.f(...a) as tf.Scalar)(xs);
    return { value: value.dataSync()[0]!, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

describe('wasm kernels match cpu (forward and gradient)', () => {
  const table: Array<{ op: string; valueDiff: number; gradDiff: number }> = [];

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    await initBackend({ backend: 'cpu' });
  });

  afterAll(() => {
    console.log(
      ['| op | forward max abs diff | gradient max abs diff |', '|---|---|---|']
        .concat(table.map((r) => `| ${r.op} | ${r.valueDiff.toExponential(2)} | ${r.gradDiff.toExponential(2)} |`))
        .join('\n'),
    );
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const cpu = await evaluate('cpu', c);
    await initBackend({ backend: 'wasm' });
    const wasm = await evaluate('wasm', c);
    const valueDiff = Math.abs(cpu.value - wasm.value);
    expect(valueDiff).toBeLessThanOrEqual(TOL + TOL * Math.abs(cpu.value));
    let gradDiff = 0;
    cpu.grads.forEach((g, i) => {
      const w = wasm.grads[i]!;
      expect(w.length).toBe(g.length);
      for (let j = 0; j < g.length; j++) {
        const d = Math.abs(g[j]! - w[j]!);
        gradDiff = Math.max(gradDiff, d);
        expect(d).toBeLessThanOrEqual(TOL + TOL * Math.abs(g[j]!));
      }
    });
    table.push({ op: c.name, valueDiff, gradDiff });
  });
});
