#!/usr/bin/env node
// Accuracy of every fusion strategy on each of data's synthetic scenarios, mean ± sd over seeds,
// as a Markdown table (the figures of the fusion README). Same models and sizes as the
// `*.slow.test.ts` files. Run after `npm run build`:
//   node tools/scenario-accuracy/scenario-report.mjs [seeds=3] [scenario]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@metaseries/core';
import { alignDatasetContext, batchSeries, generateScenario, SCENARIOS } from '@metaseries/data';
import { LabelEncoder, MetadataEncoder } from '@metaseries/encoders';
import { buildModel, FUSIONS, trainingTargets } from '@metaseries/fusion';

const seeds = Number(process.argv[2] ?? 3);
const only = process.argv[3]; // optional: one scenario name
const run = { trainSize: 256, testSize: 256, length: 50, epochs: 10, learningRate: 0.01 };
const model = { encoder: 'fcn', fcn: { filters: [16, 16], kernelSizes: [7, 5] }, attention: { heads: 1, keyDim: 16 }, metadataUnits: [16], headUnits: 16, dropout: 0 };

async function accuracy(name, config, seed) {
  const train = alignDatasetContext(generateScenario(name, { n: run.trainSize, length: run.length, seed }));
  const test = alignDatasetContext(generateScenario(name, { n: run.testSize, length: run.length, seed: seed + 1000 }));
  const metadata = MetadataEncoder.fit(train.schema, train.records);
  const labels = LabelEncoder.fit(train.schema.label, train.records.map((r) => r.label ?? null));
  const T = run.length;
  const encoded = metadata.encodedSchema({ channels: train.schema.channels.length, timeSteps: T, task: train.schema.label.task, outputs: labels.outputs });
  const toTensors = (records) => {
    const { series, mask } = batchSeries(records, { timeSteps: T });
    const all = { series, mask, ...metadata.transform(records, { timeSteps: T }) };
    return Object.fromEntries(Object.entries(all).map(([k, d]) => [k, tf.tensor(d.data, d.shape, d.dtype)]));
  };
  const yData = labels.transform(train.records.map((r) => r.label ?? null));
  const y = tf.tensor(yData.data, yData.shape);
  const xTrain = toTensors(train.records);
  const xTest = toTensors(test.records);
  // operating-mode: see OPERATING_MODE_MODEL in scenarios-context-noise.slow.test.ts
  const sized = name === 'operating-mode' ? { ...model, fcn: { filters: [32, 32], kernelSizes: [3, 3] } } : model;
  const m = buildModel({ ...sized, ...config }, encoded, { seed, learningRate: run.learningRate });
  const targets = trainingTargets(m, y, T);
  await m.fit(m.inputNames.map((n) => xTrain[n]), targets, { epochs: run.epochs, batchSize: 32, shuffle: false, verbose: 0 });
  const out = m.predict(m.inputNames.map((n) => xTest[n]));
  const p = (Array.isArray(out) ? out[0] : out).dataSync();
  const truth = labels.transform(test.records.map((r) => r.label ?? null)).data;
  let correct = 0;
  for (let i = 0; i < test.records.length; i++) if ((p[i] > 0.5 ? 1 : 0) === truth[i]) correct++;
  tf.dispose([y, ...(Array.isArray(targets) ? targets.slice(1) : []), ...Object.values(xTrain), ...Object.values(xTest), ...(Array.isArray(out) ? out : [out])]);
  m.dispose();
  return correct / test.records.length;
}

const stats = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
};

await initBackend({ backend: process.env.METASERIES_BACKEND ?? 'wasm' });
const columns = ['none (no context)', ...FUSIONS];
console.log(`| scenario | Bayes without / with | ${columns.join(' | ')} |\n|---|---|${columns.map(() => '---:').join('|')}|`);
for (const [name, info] of Object.entries(SCENARIOS)) {
  if (only && name !== only) continue;
  const cells = [];
  for (const column of columns) {
    const config = column === 'none (no context)' ? { fusion: 'none', excludeFields: ['mode'] } : { fusion: column };
    if (column === 'none (no context)' && name !== 'operating-mode') {
      cells.push('—');
      continue;
    }
    const accs = [];
    try {
      for (let s = 1; s <= seeds; s++) accs.push(await accuracy(name, config, s));
      cells.push(stats(accs));
    } catch (e) {
      if (e.code !== 'FUSION_INVALID_CONFIG') throw e;
      cells.push('n/a (no static field)');
    }
    process.stderr.write(`${name} ${column}: ${cells.at(-1)}\n`);
  }
  console.log(`| ${name} | ${info.bayesAccuracyWithoutMetadata} / ${info.bayesAccuracyWithMetadata} | ${cells.join(' | ')} |`);
}
