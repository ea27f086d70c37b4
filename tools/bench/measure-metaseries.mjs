// Child process: measures the metaseries workloads on ONE backend and prints JSON rows.
// Usage: node measure-metaseries.mjs --backend wasm --models M0,M1 [--quick]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@metaseries/core';
import { defaultRunConfig, resolveThreads, trainModel } from '@metaseries/pipeline';
import { B, makeRecords, buildWorkload, workloadTargets, workloadTensors } from './models.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? true : all[i + 1]]);
    return acc;
  }, []),
);
const backend = args.backend ?? 'wasm';
const models = String(args.models ?? 'M0,M1,M2,M3,C1').split(',');
const quick = Boolean(args.quick);
const [trainBatches, inferBatches, latencyCalls, repeats] = quick ? [2, 3, 10, 3] : [6, 10, 50, 3];

await initBackend({ backend });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Untimed batches before a training-loop measurement. Every `trainModel` call starts fresh worker
 * threads, and a fresh isolate runs its first steps ~1.5x slower while V8 and wasm tier up
 * (measured here on M0: a worker's 32-row shard took 25-37 ms over its first 6 steps, then 17-19 ms,
 * as on the warm main thread). One batch of warm-up timed the workers' cold start, not training.
 * A real run trains hundreds of batches, so the table reports the warm rate, as for PyTorch
 * (warmed up, then timed) and for the main thread (warm from the earlier measurements).
 */
const LOOP_WARMUP_BATCHES = 10;

/** Samples/s of `batches` training steps through pipeline's training loop with `threads` threads. */
async function loopSpeed(model, xs, ys, batches, threads) {
  const inputs = Object.fromEntries(model.inputNames.map((n, i) => [n, { dtype: xs[i].dtype, shape: xs[i].shape, data: xs[i].dataSync() }]));
  const batch = { inputs, y: { dtype: 'float32', shape: ys.shape, data: ys.dataSync() } };
  const train = { ...defaultRunConfig.train, epochs: 1, batchSize: B, earlyStopping: false, threads };
  // timed from the end of the last warm-up batch (worker start-up and tier-up excluded) to the end of the last batch
  const ends = [];
  const onProgress = (e) => e.type === 'batch' && ends.push(performance.now());
  const total = LOOP_WARMUP_BATCHES + batches;
  await trainModel(model, { task: 'multiclass', train, source: { batchCount: total, *batches() { for (let i = 0; i < total; i++) yield batch; } }, outputName: 'probabilities', validate: async () => ({ loss: 0 }), onProgress });
  return (batches * B) / ((ends[ends.length - 1] - ends[LOOP_WARMUP_BATCHES - 1]) / 1000);
}


const rows = [];
for (const id of models) {
  const records = makeRecords(200); // enough for all 10 categories in the vocabulary
  const { model, encoded } = buildWorkload(id, records);
  const xs = workloadTensors(model, encoded, B);
  const x1 = workloadTensors(model, encoded, 1, 54321);
  const target = workloadTargets(model, B);
  const ys = Array.isArray(target) ? target[0] : target;
  await model.trainOnBatch(xs, target); // warm-up (kernels compiled, weights built)
  const threads = resolveThreads('auto', B);
  const loop1 = [];
  const loopN = [];
  const train = [];
  const infer = [];
  const lat = [];
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    for (let i = 0; i < trainBatches; i++) await model.trainOnBatch(xs, target);
    train.push((trainBatches * B) / ((performance.now() - t0) / 1000));
    loop1.push(await loopSpeed(model, xs, ys, trainBatches, 1));
    if (threads > 1) loopN.push(await loopSpeed(model, xs, ys, trainBatches, threads));
    tf.tidy(() => model.predict(xs));
    t0 = performance.now();
    for (let i = 0; i < inferBatches; i++) {
      const out = model.predict(xs);
      await (Array.isArray(out) ? out[0] : out).data();
      tf.dispose(out);
    }
    infer.push((inferBatches * B) / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    for (let i = 0; i < latencyCalls; i++) {
      const out = model.predict(x1);
      await (Array.isArray(out) ? out[0] : out).data();
      tf.dispose(out);
    }
    lat.push((performance.now() - t0) / latencyCalls);
  }
  rows.push({
    model: id,
    impl: 'metaseries',
    backend: `tfjs-${backend}`,
    // what `metaseries train` gets: pipeline's loop, data-parallel over `threads` threads
    trainSamplesPerSec: threads > 1 ? median(loopN) : median(loop1),
    threads,
    trainSamplesPerSecOneThread: median(loop1),
    // the first pool of this workload (the later repeats' pools reuse its parked workers, as the
    // fits of \`metaseries compare\` or a cross-validation do; with --models M0,M1 M1's first pool
    // already reuses M0's)
    trainSamplesPerSecFirstPool: threads > 1 ? loopN[0] : null,
    trainOnBatchSamplesPerSec: median(train),
    trainWarmupBatches: LOOP_WARMUP_BATCHES,
    inferSamplesPerSec: median(infer),
    latencyMsB1: median(lat),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    params: model.countParams(),
  });
  tf.dispose([...xs, ...x1, ys]);
  model.dispose();
}
process.stdout.write(JSON.stringify({ rows }) + '\n');
