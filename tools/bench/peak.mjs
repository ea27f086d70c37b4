// Child process of run.mjs: what "fraction of the machine's peak" means here. Prints one JSON
// line with
// - `flopsPerTrainSample`: multiply-add FLOPs (×2) of the matrix products and convolutions of one
//   training step (forward and backward) per sample, for each workload, counted by wrapping wasm's
//   BatchMatMul, Conv2D and FusedConv2D kernels (core's conv gradients run their products through
//   BatchMatMul; run.mjs starts this script with METASERIES_TILE_GEMM=0 so the fused recurrent
//   kernels' products go there too instead of core's tiled GEMM). The PyTorch twins do the same
//   products, so the same count serves both;
// - `wasmGflopsOneThread`: a 1024³ float32 product on tfjs-wasm (XNNPACK, one thread): the ceiling
//   of one training thread here.
// Usage: node peak.mjs [--models M0,M1]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@metaseries/core';
import { B, makeRecords, buildWorkload, workloadTargets, workloadTensors } from './models.mjs';

const argv = process.argv.slice(2);
const i = argv.indexOf('--models');
const models = (i >= 0 ? argv[i + 1] : 'M0,M1,M2,M3,C1').split(',');
await initBackend({ backend: 'wasm' });

let flops = 0;
const count = (name, f) => {
  const k = tf.getKernel(name, 'wasm');
  if (!k) return;
  const orig = k.kernelFunc;
  k.kernelFunc = (args) => {
    flops += f(args);
    return orig(args);
  };
};
count('BatchMatMul', ({ inputs: { a, b }, attrs: { transposeA, transposeB } }) => {
  const m = transposeA ? a.shape.at(-1) : a.shape.at(-2);
  const k = transposeA ? a.shape.at(-2) : a.shape.at(-1);
  const n = transposeB ? b.shape.at(-2) : b.shape.at(-1);
  const batch = Math.max(a.shape.slice(0, -2).reduce((x, y) => x * y, 1), b.shape.slice(0, -2).reduce((x, y) => x * y, 1));
  return 2 * batch * m * k * n;
});
const conv = ({ inputs: { x, filter }, attrs: { strides, pad, dilations, dimRoundingMode } }) => {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode);
  return 2 * info.batchSize * info.outHeight * info.outWidth * info.outChannels * info.filterHeight * info.filterWidth * info.inChannels;
};
count('Conv2D', conv);
count('FusedConv2D', conv);

const flopsPerTrainSample = {};
for (const id of models) {
  const { model, encoded } = buildWorkload(id, makeRecords(200));
  const xs = workloadTensors(model, encoded, B);
  const ys = workloadTargets(model, B);
  await model.trainOnBatch(xs, ys); // warm-up
  flops = 0;
  await model.trainOnBatch(xs, ys);
  flopsPerTrainSample[id] = flops / B;
  model.dispose();
}

const n = 1024;
const a = tf.randomNormal([n, n]);
const b = tf.randomNormal([n, n]);
// (not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element)
const product = () => {
  const c = tf.matMul(a, b);
  c.dataSync();
  c.dispose();
};
product();
const times = [];
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  product();
  times.push(performance.now() - t0);
}
times.sort((x, y) => x - y);
const wasmGflopsOneThread = (2 * n ** 3) / (times[3] / 1000) / 1e9;
process.stdout.write(JSON.stringify({ flopsPerTrainSample, wasmGflopsOneThread }) + '\n');
