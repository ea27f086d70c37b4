#!/usr/bin/env node
// Prints the parameter count of every default encoder × fusion model on the DESIGN benchmark
// shape (C = 3 channels, T = 100, one categorical 10 → 8 and 3 numerics, 5 classes) as a Markdown
// table. Run after `npx tsc -b tsconfig.lib.json`:  node scripts/parameter-counts.mjs
import { initBackend } from '@metaseries/core';
import { buildModel, ENCODERS, FUSIONS } from '../dist/index.js';

const T = 100;
const schema = {
  channels: 3,
  timeSteps: T,
  inputs: [
    { name: 'series', shape: [T, 3], dtype: 'float32', role: 'series' },
    { name: 'mask', shape: [T], dtype: 'float32', role: 'mask' },
    { name: 'meta_machine', shape: [1], dtype: 'int32', role: 'metadata', field: 'machine' },
    { name: 'meta_numbers', shape: [3], dtype: 'float32', role: 'metadata', field: 'numbers' },
  ],
  fields: [
    { name: 'machine', kind: 'categorical', scope: 'static', width: 8, inputs: ['meta_machine'], cardinality: 10 },
    { name: 'numbers', kind: 'numeric', scope: 'static', width: 3, inputs: ['meta_numbers'] },
  ],
  metadataWidth: 11,
  contextWidth: 0,
  task: 'multiclass',
  outputs: 5,
};

await initBackend({ backend: process.env.METASERIES_BACKEND ?? 'cpu' });
console.log(`| encoder | ${FUSIONS.join(' | ')} |\n|---|${FUSIONS.map(() => '---:').join('|')}|`);
for (const encoder of ENCODERS) {
  const cells = FUSIONS.map((fusion) => {
    const model = buildModel({ encoder, fusion }, schema, { seed: 1 });
    const n = model.countParams();
    model.dispose();
    return n.toLocaleString('en-US');
  });
  console.log(`| ${encoder} | ${cells.join(' | ')} |`);
}
