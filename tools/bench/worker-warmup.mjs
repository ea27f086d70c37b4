// How many batches a fresh data-parallel pool needs before its steps run at their steady speed: runs
// pipeline's training loop (the path `metaseries train` takes) for N batches of one workload, with
// the main thread already warm, and prints the median step time of each block of 10 batches, then
// the mean step time over a few windows: how far the bench's 10 untimed batches
// (`LOOP_WARMUP_BATCHES` in measure-metaseries.mjs) are from the steady rate (README, "Measured
// (2026-12-07, stop 20)"). V8 keeps compiling tfjs' JS paths in each fresh worker isolate for the
// first ~100 steps, on the same two cores.
// Usage: node tools/bench/worker-warmup.mjs [--models M0,M2] [--threads 1,2] [--batches 100]
import { initBackend } from '@metaseries/core';
import { defaultRunConfig, trainModel } from '@metaseries/pipeline';
import { B, makeRecords, buildWorkload, workloadTargets, workloadTensors } from './models.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const models = arg('models', 'M0,M2').split(',');
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const total = Number(arg('batches', 100));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

await initBackend({ backend: 'wasm' });
for (const id of models) {
  const { model, encoded } = buildWorkload(id, makeRecords(200));
  const xs = workloadTensors(model, encoded, B);
  const target = workloadTargets(model, B);
  const ys = Array.isArray(target) ? target[0] : target;
  // the main thread warm, as in the bench (it has run the one-thread measurements before)
  for (let i = 0; i < 20; i++) await model.trainOnBatch(xs, target);
  const inputs = Object.fromEntries(model.inputNames.map((n, i) => [n, { dtype: xs[i].dtype, shape: xs[i].shape, data: xs[i].dataSync() }]));
  const batch = { inputs, y: { dtype: 'float32', shape: ys.shape, data: ys.dataSync() } };
  for (const threads of threadCounts) {
    const train = { ...defaultRunConfig.train, epochs: 1, batchSize: B, earlyStopping: false, threads };
    const ends = [];
    const onProgress = (e) => e.type === 'batch' && ends.push(performance.now());
    const source = { batchCount: total, *batches() { for (let i = 0; i < total; i++) yield batch; } };
    await trainModel(model, { task: 'multiclass', train, source, outputName: 'probabilities', validate: async () => ({ loss: 0 }), onProgress });
    const steps = ends.slice(1).map((e, i) => e - ends[i]);
    const blocks = [];
    for (let s = 0; s < steps.length; s += 10) blocks.push(median(steps.slice(s, s + 10)).toFixed(1));
    const mean = (from, to) => (to < ends.length ? ((ends[to] - ends[from]) / (to - from)).toFixed(1) : '—');
    console.log(
      `${id} threads ${threads}: median step ms per 10 batches: ${blocks.join(' ')}; mean step ms, batches 10-16 (the bench's timed window): ${mean(10, 16)}, ` +
        `40-70: ${mean(40, 70)}, ${Math.max(40, total - 30)}-${total - 1}: ${mean(Math.max(40, total - 30), total - 1)}`,
    );
  }
  model.dispose();
}
