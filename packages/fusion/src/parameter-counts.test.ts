import { initBackend } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { buildModel } from './index.js';

/**
 * The DESIGN benchmark shape: C = 3 channels, T = 100 steps, one categorical field (10 values →
 * 8-wide embedding) and 3 numeric fields, 5 classes. `scripts/parameter-counts.mjs` prints the
 * table for every default model; this test checks the counting against a hand count.
 */
const T = 100;
const benchmarkSchema: EncodedSchema = {
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

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

it('parameter counts match the hand count (LSTM baseline, late, FiLM)', () => {
  const count = (fusion: 'none' | 'late' | 'film') => {
    const model = buildModel({ encoder: 'lstm', fusion }, benchmarkSchema, { seed: 1 });
    const n = model.countParams();
    model.dispose();
    return n;
  };
  const none = count('none');
  // LSTM(64) on 3 channels: 4·(64·(3 + 64) + 64); head Dense(64→64) + Dense(64→5).
  expect(none).toBe(4 * (64 * 67 + 64) + (64 * 64 + 64) + (64 * 5 + 5));
  // late adds the embedding (10·8) and the metadata MLP (11→32), and widens the head's input by 32.
  expect(count('late') - none).toBe(80 + (11 * 32 + 32) + 32 * 64);
  // FiLM adds γ and β: 2·(11·F + F) with F = 64, plus the embedding.
  expect(count('film') - none).toBe(80 + 2 * (11 * 64 + 64));
});
