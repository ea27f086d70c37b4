// Child process: measures inference of the metaseries workloads exported to ONNX (fusion's
// exportOnnx) and run by onnxruntime-node, and prints JSON rows (impl "metaseries", backend
// "onnx"; training columns null: onnxruntime serves, tfjs trains).
// Usage: node measure-onnx.mjs --models M0,M1 [--quick] [--threads 2]
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { initBackend } from '@metaseries/core';
import { exportOnnx } from '@metaseries/fusion';
import { B, makeRecords, buildWorkload, workloadInputs } from './models.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : def;
};
const models = String(opt('models', 'M0,M1,M2,M3,C1')).split(',');
const quick = argv.includes('--quick');
// PyTorch runs with torch.set_num_threads(2): the same for onnxruntime's intra-op pool
const threads = Number(opt('threads', '2'));
const [inferBatches, latencyCalls, repeats] = quick ? [10, 50, 3] : [40, 300, 3];

await initBackend({ backend: 'cpu' }); // builds the tfjs model whose weights are exported

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const feedsOf = (inputs) => Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, new ort.Tensor(t.dtype, t.data, t.shape)]));

const rows = [];
for (const id of models) {
  const { model, encoded } = buildWorkload(id, makeRecords(200));
  const bytes = exportOnnx(model);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const xs = feedsOf(workloadInputs(model, encoded, B));
  const x1 = feedsOf(workloadInputs(model, encoded, 1, 54321));
  // the exported model predicts what tfjs predicts on this very batch
  const reference = tf.tidy(() => {
    const out = model.predict(model.inputNames.map((n) => tf.tensor(xs[n].data, xs[n].dims, xs[n].type)));
    return (Array.isArray(out) ? out[0] : out).dataSync();
  });
  const got = (await session.run(xs))['probabilities'].data;
  const maxAbsDiffVsTfjs = reference.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0);
  await session.run(x1);
  const infer = [];
  const lat = [];
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    for (let i = 0; i < inferBatches; i++) await session.run(xs);
    infer.push((inferBatches * B) / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    for (let i = 0; i < latencyCalls; i++) await session.run(x1);
    lat.push((performance.now() - t0) / latencyCalls);
  }
  rows.push({
    model: id,
    impl: 'metaseries',
    backend: 'onnx',
    trainSamplesPerSec: null,
    inferSamplesPerSec: median(infer),
    latencyMsB1: median(lat),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    params: model.countParams(),
    threads,
    onnxBytes: bytes.length,
    maxAbsDiffVsTfjs,
  });
  await session.release();
  model.dispose();
}
process.stdout.write(JSON.stringify({ rows }) + '\n');
