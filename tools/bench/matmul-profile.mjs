// Where a training step's matrix products go, by shape: wraps wasm's BatchMatMul kernel, runs 5
// training steps of one workload and prints ms per step, calls per step and GFLOP/s per product
// shape (the table that showed attention's per-record products at 0.2-0.5 GFLOP/s and the long-K
// recurrent weight gradient at ~7). Usage: node tools/bench/matmul-profile.mjs [M1]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@metaseries/core';
import { B, makeRecords, buildWorkload, workloadTargets, workloadTensors } from './models.mjs';
const id = process.argv[2] ?? 'M1';
await initBackend({ backend: 'wasm' });
const { model, encoded } = buildWorkload(id, makeRecords(200));
const xs = workloadTensors(model, encoded, B);
const target = workloadTargets(model, B);
await model.trainOnBatch(xs, target);
const k = tf.getKernel('BatchMatMul', 'wasm');
const orig = k.kernelFunc;
const stats = new Map();
k.kernelFunc = (args) => {
  const t0 = performance.now();
  const r = orig(args);
  const dt = performance.now() - t0;
  const { a, b } = args.inputs; const { transposeA, transposeB } = args.attrs;
  const key = `${a.shape.join('x')} ${transposeA ? 'T' : ''}* ${b.shape.join('x')}${transposeB ? 'T' : ''}`;
  const s = stats.get(key) ?? { n: 0, ms: 0, flop: 0 };
  const M = transposeA ? a.shape.at(-1) : a.shape.at(-2), K = transposeA ? a.shape.at(-2) : a.shape.at(-1), N = transposeB ? b.shape.at(-2) : b.shape.at(-1);
  const batch = Math.max(a.shape.length > 2 ? a.shape[0] : 1, b.shape.length > 2 ? b.shape[0] : 1);
  s.n++; s.ms += dt; s.flop += 2 * M * K * N * batch; stats.set(key, s);
  return r;
};
const t0 = performance.now();
for (let i = 0; i < 5; i++) await model.trainOnBatch(xs, target);
const total = performance.now() - t0;
console.log(`${id}: 5 steps ${total.toFixed(0)} ms`);
for (const [key, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`${(s.ms / 5).toFixed(1).padStart(7)} ms/step  ${String(s.n / 5).padStart(5)} calls  ${(s.flop / s.ms / 1e6).toFixed(1).padStart(5)} GFLOP/s  ${key}`);
