import { batchSeries, batchIndices, iterateBatches } from './batch-series.js';
import { createRng, type SeriesRecord } from '@metaseries/core';

const rec = (id: string, chans: number[][]): SeriesRecord => ({ id, values: chans.map((c) => Float32Array.from(c)), metadata: {} });

describe('batchSeries', () => {
  it('pads at the end with a mask, keeps the latest steps when truncating, and zeroes missing values', () => {
    const b = batchSeries([rec('a', [[1, 2, 3], [4, NaN, 6]]), rec('b', [[7], [8]])]);
    expect(b.series.shape).toEqual([2, 3, 2]);
    expect(Array.from(b.series.data)).toEqual([1, 4, 2, 0, 3, 6, 7, 8, 0, 0, 0, 0]);
    expect(Array.from(b.mask.data)).toEqual([1, 1, 1, 1, 0, 0]);
    const t = batchSeries([rec('a', [[1, 2, 3, 4]])], { timeSteps: 2 });
    expect(Array.from(t.series.data)).toEqual([3, 4]);
    const s = batchSeries([rec('b', [[7]])], { timeSteps: 3, pad: 'start' });
    expect(Array.from(s.mask.data)).toEqual([0, 0, 1]);
  });

  it('masks a step where every channel is missing', () => {
    expect(Array.from(batchSeries([rec('a', [[1, NaN], [2, NaN]])]).mask.data)).toEqual([1, 0]);
  });

  it('yields batches of indices covering every index once', () => {
    const batches = [...batchIndices([0, 1, 2, 3, 4], { batchSize: 2, shuffle: true, rng: createRng(1) })];
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('iterateBatches packs batchSize records at a time, seeded, with their indices', () => {
    const rs = Array.from({ length: 5 }, (_, i) => rec(`r${i}`, [Array.from({ length: i + 1 }, () => i)]));
    const batches = [...iterateBatches(rs, [0, 1, 2, 3, 4], { batchSize: 2, shuffle: true, seed: 3, timeSteps: 4 })];
    expect(batches.map((b) => b.series.shape)).toEqual([[2, 4, 1], [2, 4, 1], [1, 4, 1]]);
    expect(batches.flatMap((b) => b.indices).sort()).toEqual([0, 1, 2, 3, 4]);
    const b0 = batches[0]!;
    expect(Array.from(b0.series.data.slice(0, 4))).toEqual(Array.from(batchSeries([rs[b0.indices[0]!]!], { timeSteps: 4 }).series.data));
    expect([...iterateBatches(rs, [0, 1, 2, 3, 4], { batchSize: 2, shuffle: true, seed: 3 })].map((b) => b.indices)).toEqual(batches.map((b) => b.indices));
    expect(() => iterateBatches(rs, [0], { batchSize: 0 }).next()).toThrow(expect.objectContaining({ code: 'BATCH_BAD_OPTION' }));
  });
});
