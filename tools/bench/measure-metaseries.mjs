// Child process: measures the metaseries workloads on ONE backend and prints JSON rows.
// Usage: node measure-metaseries.mjs --backend wasm --models M0,M1 [--quick]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@metaseries/core';
import { defaultRunConfig, resolveThreads, trainModel } from '@metaseries/pipeline';
import { B, T, CLASSES, makeRecords, buildWorkload } from './models.mjs';

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

/** Random input tensors for every model input, shaped by the encoded schema. */
function inputsFor(model, encoded, batch, rng) {
  const specs = model.inputNames.map((n) => encoded.inputs.find((s) => s.name === n));
  return specs.map((spec) => {
    const shape = [batch, ...spec.shape.map((d) => (d === null ? T : d))];
    if (spec.role === 'mask') return tf.ones(shape);
    if (spec.dtype === 'int32') {
      const card = encoded.fields.find((f) => f.name === spec.field)?.cardinality ?? 2;
      return tf.tensor(Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rng() * card)), shape, 'int32');
    }
    return tf.randomNormal(shape, 0, 1, 'float32', 7);
  });
}

/** Samples/s of `batches` training steps through pipeline's training loop with `threads` threads. */
async function loopSpeed(model, xs, ys, batches, threads) {
  const inputs = Object.fromEntries(model.inputNames.map((n, i) => [n, { dtype: xs[i].dtype, shape: xs[i].shape, data: xs[i].dataSync() }]));
  const batch = { inputs, y: { dtype: 'float32', shape: ys.shape, data: ys.dataSync() } };
  const train = { ...defaultRunConfig.train, epochs: 1, batchSize: B, earlyStopping: false, threads };
  // timed from the end of the first batch (worker start-up and kernel warm-up excluded) to the end of the last
  const ends = [];
  const onProgress = (e) => e.type === 'batch' && ends.push(performance.now());
  await trainModel(model, { task: 'multiclass', train: { ...train, epochs: 1 }, source: { batchCount: batches + 1, *batches() { for (let i = 0; i <= batches; i++) yield batch; } }, outputName: 'probabilities', validate: async () => ({ loss: 0 }), onProgress });
  return (batches * B) / ((ends[ends.length - 1] - ends[0]) / 1000);
}

let state = 12345;
const rng = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);

const rows = [];
for (const id of models) {
  const records = makeRecords(200); // enough for all 10 categories in the vocabulary
  const { model, encoded } = buildWorkload(id, records);
  const xs = inputsFor(model, encoded, B, rng);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  const x1 = inputsFor(model, encoded, 1, rng);
  const outputs = model.outputs.length;
  const target = outputs > 1 ? [ys, ...model.outputs.slice(1).map((o) => tf.zeros([B, ...o.shape.slice(1)]))] : ys;
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
    trainOnBatchSamplesPerSec: median(train),
    inferSamplesPerSec: median(infer),
    latencyMsB1: median(lat),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    params: model.countParams(),
  });
  tf.dispose([...xs, ...x1, ys]);
  model.dispose();
}
process.stdout.write(JSON.stringify({ rows }) + '\n');
