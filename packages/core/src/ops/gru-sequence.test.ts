import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // also registers tfjs-core's gradients (the Node build has none)
import { initBackend } from '../backend/init-backend.js';
import { createRng } from '../random.js';
import { gruSequence, type GruRecurrentActivation } from './gru-sequence.js';
import { gruGatesFor, setGruGatesSimd } from './gru-gates-module.js';

function seeded(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/**
 * Value and gradients (wrt x, kernel, recurrent kernel, bias) of `sum(GRU(x, mask) · probe)`,
 * from tfjs-layers' own (unfused, step-by-step) GRU holding the given weights.
 */
function layersGru(x: tf.Tensor3D, w: tf.Tensor2D, wr: tf.Tensor2D, bias: tf.Tensor1D, mask: tf.Tensor2D, probe: tf.Tensor, activation: GruRecurrentActivation) {
  const U = wr.shape[0];
  const layer = tfl.layers.gru({ units: U, returnSequences: true, recurrentActivation: activation });
  layer.build(x.shape);
  layer.setWeights([w, wr, bias]);
  const xv = tf.variable(x);
  const vars = [xv, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
  const seq = () => layer.call(xv, { mask }) as tf.Tensor;
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(seq(), probe)) as tf.Scalar, vars);
  const out = { value: value.dataSync()[0]!, seq: seq(), grads: vars.map((v) => grads[v.name]!) };
  xv.dispose();
  return out;
}

function fusedGru(x: tf.Tensor3D, w: tf.Tensor2D, wr: tf.Tensor2D, bias: tf.Tensor1D, mask: tf.Tensor2D, probe: tf.Tensor, activation: GruRecurrentActivation) {
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
    tf.sum(tf.mul(gruSequence(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, mask, activation), probe)) as tf.Scalar;
  const { value, grads } = tf.valueAndGrads(f)([x, w, wr, bias]);
  return { value: value.dataSync()[0]!, seq: gruSequence(x, w, wr, bias, mask, activation), grads };
}

describe.each(['cpu', 'wasm'] as const)('gruSequence on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  // U = 8 runs the wasm SIMD gate kernels on wasm (U a multiple of 4), U = 5 the JS loops
  it.each([
    ['hardSigmoid', 5],
    ['hardSigmoid', 8],
    ['sigmoid', 5],
    ['sigmoid', 8],
  ] as const)('matches tfjs-layers GRU (%s gates, U = %i) in value and in every gradient, padded steps included', (activation, U) => {
    const B = 4, T = 7, F = 3;
    const x = seeded([B, T, F], 1, 1) as tf.Tensor3D;
    const w = seeded([F, 3 * U], 2) as tf.Tensor2D;
    const wr = seeded([U, 3 * U], 3) as tf.Tensor2D;
    const bias = seeded([3 * U], 4) as tf.Tensor1D;
    // holes, leading and trailing padding, and a record with a single real step
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0, 0, 0],
      [0, 1, 0, 1, 1, 0, 1],
      [0, 0, 0, 1, 0, 0, 0],
    ]);
    const probe = seeded([B, T, U], 5);
    const ref = layersGru(x, w, wr, bias, mask, probe, activation);
    const fused = fusedGru(x, w, wr, bias, mask, probe, activation);
    expect(Math.abs(ref.value - fused.value)).toBeLessThan(1e-4);
    expect(maxAbsDiff(ref.seq, fused.seq)).toBeLessThan(1e-5);
    const diffs = ['x', 'kernel', 'recurrentKernel', 'bias'].map((what, i) => {
      expect(fused.grads[i]!.shape).toEqual(ref.grads[i]!.shape);
      return [what, maxAbsDiff(ref.grads[i]!, fused.grads[i]!)] as const;
    });
    if (process.env['GRU_SEQUENCE_REPORT']) console.log(`${backend} ${activation} U=${U}: value ${Math.abs(ref.value - fused.value)}, seq ${maxAbsDiff(ref.seq, fused.seq)}, ${JSON.stringify(Object.fromEntries(diffs))}`);
    for (const [, diff] of diffs) expect(diff).toBeLessThan(1e-4);
    // the gradient is not trivially zero, and padded steps carry the last real state
    expect(tf.max(tf.abs(fused.grads[2]!)).dataSync()[0]!).toBeGreaterThan(1e-2);
    const seq = fused.seq.arraySync();
    expect(seq[1]![6]).toEqual(seq[1]![3]);
    expect(seq[3]![0]!.every((v) => v === 0)).toBe(true);
  });

  it('ignores what stands in padded steps', () => {
    const U = 4;
    const w = seeded([2, 3 * U], 2) as tf.Tensor2D;
    const wr = seeded([U, 3 * U], 3) as tf.Tensor2D;
    const bias = seeded([3 * U], 4) as tf.Tensor1D;
    const mask = tf.tensor2d([[1, 0, 1, 1, 0]]);
    const x1 = seeded([1, 5, 2], 6) as tf.Tensor3D;
    const x2 = tf.where(tf.expandDims(tf.cast(mask, 'bool'), -1), x1, tf.fill([1, 5, 2], 99)) as tf.Tensor3D;
    expect(gruSequence(x2, w, wr, bias, mask).arraySync()).toEqual(gruSequence(x1, w, wr, bias, mask).arraySync());
  });

  it.each([2, 4])('does not leak tensors or backend memory (U = %i)', (U) => {
    const x = seeded([2, 4, 3], 6) as tf.Tensor3D;
    const w = seeded([3, 3 * U], 7) as tf.Tensor2D;
    const wr = seeded([U, 3 * U], 8) as tf.Tensor2D;
    const bias = seeded([3 * U], 9) as tf.Tensor1D;
    tf.tidy(() => {
      gruSequence(x, w, wr, bias);
    });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => tf.sum(gruSequence(a as tf.Tensor3D, w, wr, bias)))([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
    const ids = tf.backend().numDataIds();
    tf.tidy(() => {
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(gruSequence(a as tf.Tensor3D, b as tf.Tensor2D, wr, bias, undefined, 'sigmoid')))([x, w]);
    });
    expect(tf.backend().numDataIds()).toBe(ids);
  });
});

describe('gruSequence gate kernels: wasm SIMD against the JS loops', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });
  afterAll(() => setGruGatesSimd(true));

  it.each(['hardSigmoid', 'sigmoid'] as const)('give the same states and gradients (%s gates) on a batch with holes, leading and trailing padding', (activation) => {
    const B = 5, T = 9, F = 3, U = 12;
    const x = seeded([B, T, F], 11, 1) as tf.Tensor3D;
    const w = seeded([F, 3 * U], 12) as tf.Tensor2D;
    const wr = seeded([U, 3 * U], 13) as tf.Tensor2D;
    const bias = seeded([3 * U], 14) as tf.Tensor1D;
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
      [0, 0, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 1, 1, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const probe = seeded([B, T, U], 15);
    const run = () => {
      const { value, seq, grads } = fusedGru(x, w, wr, bias, mask, probe, activation);
      return { value, seq: seq.dataSync(), grads: grads.map((g) => g.dataSync()) };
    };
    setGruGatesSimd(true);
    expect(gruGatesFor(tf.backend())).not.toBeNull(); // the SIMD kernels really run here
    const simd = run();
    setGruGatesSimd(false);
    expect(gruGatesFor(tf.backend())).toBeNull();
    const js = run();
    setGruGatesSimd(true);
    expect(Math.abs(simd.value - js.value)).toBeLessThan(1e-5);
    let maxSeq = 0;
    simd.seq.forEach((v, i) => (maxSeq = Math.max(maxSeq, Math.abs(v - js.seq[i]!))));
    expect(maxSeq).toBeLessThan(1e-6);
    simd.grads.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - js.grads[k]![i]!)).toBeLessThan(1e-5)));
  });
});
