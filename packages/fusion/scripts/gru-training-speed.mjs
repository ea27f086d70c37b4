#!/usr/bin/env node
// Training speed of a GRU(64) classifier, B = 64, T = 100, F = 3, one `trainOnBatch` at a time on
// one backend (default wasm, single-threaded under Node): tfjs-layers' GRU ("before": the unfused
// per-step ops the GRU encoder used) against FusedGru ("after": core's fused gruSequence kernel).
// The machine is shared and noisy, so the two alternate, batch by batch, for `--rounds` rounds and
// the medians are reported. Both models hold the same weights and see the same batch (a quarter of
// the records padded over their last 25 steps).
// Run after `npx tsc -b tsconfig.lib.json`:
//   node scripts/gru-training-speed.mjs [--backend wasm] [--rounds 7] [--batches 2] [--json FILE]
// `--only after` (or `before`) times one of the two, e.g. under `node --cpu-prof`.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, initBackend } from '@metaseries/core';
import { ApplyMask } from '../dist/layers/apply-mask.js';
import { FusedGru } from '../dist/layers/fused-gru.js';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
const backend = await initBackend({ backend: arg('backend', 'wasm') });
const rounds = Number(arg('rounds', 7));
const batches = Number(arg('batches', 2));
const only = arg('only', undefined);
const [B, T, F, U, classes] = [64, 100, 3, 64, 5];

function build(kind) {
  const series = tfl.input({ shape: [T, F], name: 'series' });
  const mask = tfl.input({ shape: [T], name: 'mask' });
  let last;
  if (kind === 'before') {
    const masked = new ApplyMask({ propagate: true }).apply([series, mask]);
    last = tfl.layers.gru({ units: U, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(masked);
  } else {
    const masked = new ApplyMask().apply([series, mask]);
    last = new FusedGru({ units: U, returnSequences: false, seed: 1 }).apply([masked, mask]);
  }
  const probabilities = tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(last);
  const model = tfl.model({ inputs: [series, mask], outputs: probabilities });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

const rng = createRng(7);
const x = tf.tensor3d(Float32Array.from({ length: B * T * F }, () => rng.normal()), [B, T, F]);
const mask = tf.tensor2d(Float32Array.from({ length: B * T }, (_, i) => (Math.floor(i / T) % 4 === 3 && i % T >= T - 25 ? 0 : 1)), [B, T]);
const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: B }, () => rng.int(classes)), 'int32'), classes).toFloat();

const models = { before: build('before'), after: build('after') };
models.before.setWeights(models.after.getWeights()); // same weight names and shapes, so the same start

// one step each first: equal losses show both models compute the same thing
const firstLoss = {};
for (const [name, model] of Object.entries(models)) firstLoss[name] = await model.trainOnBatch([x, mask], y);
models.before.setWeights(models.after.getWeights());

const times = { before: [], after: [] };
const cpu = { before: [], after: [] }; // CPU seconds per batch: wasm runs on one thread, so steadier than wall time
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  for (const name of order.filter((n) => only === undefined || n === only)) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < batches; i++) await models[name].trainOnBatch([x, mask], y);
    const c = process.cpuUsage(c0);
    times[name].push(Number(process.hrtime.bigint() - t0) / 1e9 / batches);
    cpu[name].push((c.user + c.system) / 1e6 / batches);
  }
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const row = (name) => ({
  impl: name === 'before' ? 'tfjs-layers GRU' : 'FusedGru',
  medianMsPerBatch: +(median(times[name]) * 1000).toFixed(1),
  trainSamplesPerSec: +(B / median(times[name])).toFixed(1),
  medianCpuMsPerBatch: +(median(cpu[name]) * 1000).toFixed(1),
  trainSamplesPerCpuSec: +(B / median(cpu[name])).toFixed(1),
  msPerBatch: times[name].map((t) => +(t * 1000).toFixed(1)),
});
const result = {
  backend,
  shape: { B, T, F, units: U },
  rounds,
  batchesPerRound: batches,
  firstStepLoss: firstLoss,
  rows: (only ? [only] : ['before', 'after']).map(row),
  speedup: only ? null : +(median(times.before) / median(times.after)).toFixed(2),
  cpuSpeedup: only ? null : +(median(cpu.before) / median(cpu.after)).toFixed(2),
};
console.log(JSON.stringify(result, null, 2));
const out = arg('json', undefined);
if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
