#!/usr/bin/env node
// Encode throughput of @metaseries/encoders: records/s of MetadataEncoder.fit + transform for
// N records (default 100 000) with 5 static fields — categorical (200 values), numeric,
// boolean, multiCategorical (1–3 of 30 tags, `|`-separated) and text (4–12 words) — the text
// hashed into 256 buckets with bigrams (the defaults). Pure JavaScript: no tfjs backend runs.
//
//   npx tsc -b packages/encoders/tsconfig.lib.json && node tools/bench/encode-throughput.mjs [--n 100000] [--batch 1024] [--repeats 3] [--json]
//
// Prints one line per phase (best of `repeats`) and the combined fit + transform rate.
import { parseArgs } from 'node:util';
import { createRng } from '@metaseries/core';
import { MetadataEncoder } from '@metaseries/encoders';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1024' },
    repeats: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const n = Number(args.n);
const batchSize = Number(args.batch);
const repeats = Number(args.repeats);

const WORDS = 'pump valve bearing noise loud quiet hot cold vibration leak pressure drop rise sensor fault normal check replaced oil filter'.split(' ');
const schema = {
  version: 1,
  channels: ['v'],
  metadata: {
    machine: { kind: 'categorical' },
    load: { kind: 'numeric' },
    indoor: { kind: 'boolean' },
    tags: { kind: 'multiCategorical' },
    note: { kind: 'text' },
  },
  context: {},
  label: { name: 'y', task: 'binary' },
};

function makeRecords(count, seed) {
  const rng = createRng(seed);
  const values = [new Float32Array(1)];
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const nTags = 1 + rng.int(3);
    const tags = [];
    for (let k = 0; k < nTags; k++) tags.push(`t${rng.int(30)}`);
    const nWords = 4 + rng.int(9);
    const words = [];
    for (let k = 0; k < nWords; k++) words.push(WORDS[rng.int(WORDS.length)]);
    out[i] = {
      id: `r${i}`,
      values,
      metadata: {
        machine: rng.next() < 0.01 ? null : `m${rng.int(200)}`,
        load: rng.next() < 0.05 ? null : rng.normal() * 10 + 50,
        indoor: rng.next() < 0.5,
        tags: tags.join('|'),
        note: `${words.join(' ')}.`,
      },
    };
  }
  return out;
}

const records = makeRecords(n, 1);

// Best of `repeats`, in wall-clock and in this process's CPU time (user + system): on a shared
// machine the CPU time is the steadier figure.
function time(fn) {
  let best = Infinity;
  let bestCpu = Infinity;
  let result;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    result = fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, performance.now() - t0);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
  }
  return { ms: best, cpuMs: bestCpu, result };
}

const fit = time(() => MetadataEncoder.fit(schema, records));
const encoder = fit.result;
const transform = time(() => {
  let floats = 0;
  for (let i = 0; i < records.length; i += batchSize) {
    const batch = encoder.transform(records.slice(i, i + batchSize));
    for (const t of Object.values(batch)) floats += t.data.length;
  }
  return floats;
});

const rate = (ms) => Math.round(n / (ms / 1000));
const report = {
  records: n,
  fields: Object.keys(schema.metadata).length,
  batchSize,
  node: process.version,
  fitMs: +fit.ms.toFixed(1),
  transformMs: +transform.ms.toFixed(1),
  fitRecordsPerS: rate(fit.ms),
  transformRecordsPerS: rate(transform.ms),
  fitTransformRecordsPerS: rate(fit.ms + transform.ms),
  fitCpuMs: +fit.cpuMs.toFixed(1),
  transformCpuMs: +transform.cpuMs.toFixed(1),
  fitTransformRecordsPerCpuS: rate(fit.cpuMs + transform.cpuMs),
  valuesPerRecord: transform.result / n,
};
if (args.json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`encode throughput, ${n} records x ${report.fields} fields (node ${process.version}, best of ${repeats})`);
  console.log(`  fit            ${report.fitMs.toString().padStart(9)} ms  ${report.fitRecordsPerS.toLocaleString('en')} records/s`);
  console.log(`  transform      ${report.transformMs.toString().padStart(9)} ms  ${report.transformRecordsPerS.toLocaleString('en')} records/s (batches of ${batchSize}, ${report.valuesPerRecord} values/record)`);
  console.log(`  fit+transform  ${(report.fitMs + report.transformMs).toFixed(1).padStart(9)} ms  ${report.fitTransformRecordsPerS.toLocaleString('en')} records/s`);
  console.log(`  cpu time       ${(report.fitCpuMs + report.transformCpuMs).toFixed(1).padStart(9)} ms  ${report.fitTransformRecordsPerCpuS.toLocaleString('en')} records per cpu-second (fit ${report.fitCpuMs} ms, transform ${report.transformCpuMs} ms)`);
}
