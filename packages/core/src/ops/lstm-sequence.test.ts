import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients (the Node build has none)
import { initBackend } from '../backend/init-backend.js';
import { createRng } from '../random.js';
import { lstmSequence } from './lstm-sequence.js';
import { lstmGatesFor, setLstmGatesSimd } from './lstm-gates-module.js';

function seeded(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);
}

/** The same LSTM written with ordinary tfjs ops, step by step (the unfused reference). */
function lstmReference(x: tf.Tensor3D, w: tf.Tensor2D, wr: tf.Tensor2D, bias: tf.Tensor1D | tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = x.shape;
  const U = wr.shape[0];
  let h = tf.zeros([B, U]) as tf.Tensor2D;
  let c = tf.zeros([B, U]) as tf.Tensor2D;
  const outs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D;
    const z = tf.add(tf.add(tf.matMul(xt, w), tf.matMul(h, wr)), bias);
    const [i, f, g, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
    const cn = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
    const hn = tf.mul(tf.sigmoid(o!), tf.tanh(cn));
    const m = tf.reshape(tf.slice(mask, [0, t], [B, 1]), [B, 1]);
    h = tf.add(tf.mul(m, hn), tf.mul(tf.sub(1, m), h)) as tf.Tensor2D;
    c = tf.add(tf.mul(m, cn), tf.mul(tf.sub(1, m), c)) as tf.Tensor2D;
    outs.push(h);
  }
  return tf.stack(outs, 1) as tf.Tensor3D;
}

describe.each(['cpu', 'wasm'] as const)('lstmSequence on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  // U = 8 runs the wasm SIMD gate kernels on wasm (U a multiple of 4), U = 5 the JS loops; a
  // bias [B, 4U] is one per record (early fusion's metadata term)
  it.each([
    [5, 'one bias'],
    [8, 'one bias'],
    [5, 'a bias per record'],
    [8, 'a bias per record'],
  ])('matches the unfused LSTM in value and in every gradient, padded steps included (U = %i, %s)', (U, biasKind) => {
    const B = 3, T = 6, F = 4;
    const x = seeded([B, T, F], 1) as tf.Tensor3D;
    const w = seeded([F, 4 * U], 2) as tf.Tensor2D;
    const wr = seeded([U, 4 * U], 3) as tf.Tensor2D;
    const bias = seeded(biasKind === 'one bias' ? [4 * U] : [B, 4 * U], 4) as tf.Tensor1D;
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [1, 0, 1, 1, 1, 0]]);
    const probe = seeded([B, T, U], 5);
    const loss = (f: typeof lstmReference) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, mask), probe)) as tf.Scalar;
    const ref = tf.valueAndGrads(loss(lstmReference))([x, w, wr, bias]);
    const fused = tf.valueAndGrads(loss((a, b, c, d, m) => lstmSequence(a, b, c, d, m)))([x, w, wr, bias]);
    expect(Math.abs(ref.value.dataSync()[0]! - fused.value.dataSync()[0]!)).toBeLessThan(1e-4);
    ref.grads.forEach((g, i) => {
      const diff = tf.max(tf.abs(tf.sub(g, fused.grads[i]!))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-4);
    });
    const seqRef = lstmReference(x, w, wr, bias, mask).arraySync();
    const seqFused = lstmSequence(x, w, wr, bias, mask).arraySync();
    expect(seqFused[1]![5]).toEqual(seqFused[1]![3]); // padded steps carry the last real state
    seqRef.forEach((row, bi) => row.forEach((v, t) => v.forEach((s, u) => expect(seqFused[bi]![t]![u]!).toBeCloseTo(s, 5))));
  });

  it.each([2, 4])('does not leak tensors or backend memory (U = %i)', (U) => {
    const x = seeded([2, 4, 3], 6) as tf.Tensor3D;
    const w = seeded([3, 4 * U], 7) as tf.Tensor2D;
    const wr = seeded([U, 4 * U], 8) as tf.Tensor2D;
    const bias = seeded([4 * U], 9) as tf.Tensor1D;
    tf.tidy(() => {
      lstmSequence(x, w, wr, bias);
    });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => tf.sum(lstmSequence(a as tf.Tensor3D, w, wr, bias)))([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
    const ids = tf.backend().numDataIds();
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => tf.sum(lstmSequence(a as tf.Tensor3D, w, wr, bias)))([x]);
    });
    expect(tf.backend().numDataIds()).toBe(ids);
  });

  it('names the shapes when the bias fits neither [4U] nor [B, 4U]', () => {
    const x = seeded([2, 4, 3], 6) as tf.Tensor3D;
    const w = seeded([3, 16], 7) as tf.Tensor2D;
    const wr = seeded([4, 16], 8) as tf.Tensor2D;
    expect(() => lstmSequence(x, w, wr, seeded([12], 9) as tf.Tensor1D)).toThrow('bias must be [16] or [2, 16] for x [2, 4, 3] and a recurrent kernel [4, 16], got [12]');
    expect(() => lstmSequence(x, w, wr, seeded([3, 16], 9) as tf.Tensor1D)).toThrow('got [3, 16]');
  });
});

describe('lstmSequence gate kernels: wasm SIMD against the JS loops', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });
  afterAll(() => setLstmGatesSimd(true));

  it.each(['one bias', 'a bias per record'])('gives the same states and gradients on a batch with holes, leading and trailing padding (%s)', (biasKind) => {
    const B = 5, T = 9, F = 3, U = 12;
    const x = seeded([B, T, F], 11, 1) as tf.Tensor3D;
    const w = seeded([F, 4 * U], 12) as tf.Tensor2D;
    const wr = seeded([U, 4 * U], 13) as tf.Tensor2D;
    const bias = seeded(biasKind === 'one bias' ? [4 * U] : [B, 4 * U], 14) as tf.Tensor1D;
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
      [0, 0, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 1, 1, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const probe = seeded([B, T, U], 15);
    const run = () => {
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(lstmSequence(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, mask), probe)) as tf.Scalar;
      const { value, grads } = tf.valueAndGrads(f)([x, w, wr, bias]);
      return { value: value.dataSync()[0]!, seq: lstmSequence(x, w, wr, bias, mask).dataSync(), grads: grads.map((g) => g.dataSync()) };
    };
    setLstmGatesSimd(true);
    expect(lstmGatesFor(tf.backend())).not.toBeNull(); // the SIMD kernels really run here
    const simd = run();
    setLstmGatesSimd(false);
    const js = run();
    setLstmGatesSimd(true);
    expect(Math.abs(simd.value - js.value)).toBeLessThan(1e-5);
    let maxSeq = 0;
    simd.seq.forEach((v, i) => (maxSeq = Math.max(maxSeq, Math.abs(v - js.seq[i]!))));
    expect(maxSeq).toBeLessThan(1e-6);
    simd.grads.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - js.grads[k]![i]!)).toBeLessThan(1e-5)));
  });
});
