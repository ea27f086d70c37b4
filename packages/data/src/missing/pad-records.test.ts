import type { SeriesRecord } from '@metaseries/core';
import { padRecords, timeSinceObservation, withTimeSinceObservation } from './pad-records.js';
import { batchSeries } from '../batch/batch-series.js';

const rec = (id: string, chans: number[][], times?: number[]): SeriesRecord => ({
  id,
  values: chans.map((c) => Float32Array.from(c)),
  metadata: {},
  ...(times ? { times: Float64Array.from(times) } : {}),
});

describe('padRecords', () => {
  it('pads at the end with NaN and mask 0, truncates keeping the latest steps', () => {
    const { records, masks } = padRecords([rec('a', [[1, 2]], [0, 5]), rec('b', [[1, 2, 3, 4]])], { length: 3 });
    expect(Array.from(records[0]!.values[0]!)).toEqual([1, 2, NaN]);
    expect(Array.from(records[0]!.times!)).toEqual([0, 5, NaN]);
    expect(Array.from(masks[0]!)).toEqual([1, 1, 0]);
    expect(Array.from(records[1]!.values[0]!)).toEqual([2, 3, 4]);
  });

  it('pads at the start and truncates from the end when asked; context padding is null with mask 0', () => {
    const r: SeriesRecord = { ...rec('a', [[1, 2]]), alignedContext: { values: { m: ['x', 'y'] }, mask: { m: Uint8Array.from([1, 1]) } } };
    const { records, masks } = padRecords([r, rec('b', [[5, 6, 7, 8]])], { length: 3, pad: 'start', truncate: 'end' });
    expect(Array.from(records[0]!.values[0]!)).toEqual([NaN, 1, 2]);
    expect(records[0]!.alignedContext!.values.m).toEqual([null, 'x', 'y']);
    expect(Array.from(records[0]!.alignedContext!.mask.m!)).toEqual([0, 1, 1]);
    expect(Array.from(masks[0]!)).toEqual([0, 1, 1]);
    expect(Array.from(records[1]!.values[0]!)).toEqual([5, 6, 7]);
  });

  it('a record with no series rows is all padding: all-zero mask (also in batchSeries)', () => {
    const empty = rec('e', [[], []]);
    const { masks } = padRecords([empty, rec('b', [[1, 2], [3, 4]])]);
    expect(Array.from(masks[0]!)).toEqual([0, 0]);
    const b = batchSeries([empty, rec('b', [[1, 2], [3, 4]])]);
    expect(Array.from(b.mask.data)).toEqual([0, 0, 1, 1]);
    expect(Array.from(b.series.data).slice(0, 4)).toEqual([0, 0, 0, 0]);
  });

  it('a step where every channel is missing has mask 0', () => {
    expect(Array.from(padRecords([rec('a', [[1, NaN], [2, NaN]])]).masks[0]!)).toEqual([1, 0]);
  });
});

describe('time since last observation', () => {
  it('counts elapsed time per channel from irregular stamps; NaN before the first observation', () => {
    const r = rec('a', [[NaN, 1, NaN, NaN, 2], [0, NaN, NaN, 3, NaN]], [0, 1, 3, 7, 8]);
    const [a, b] = timeSinceObservation(r);
    expect(Array.from(a!)).toEqual([NaN, 0, 2, 6, 0]);
    expect(Array.from(b!)).toEqual([0, 1, 3, 0, 1]);
  });

  it('appends the channels to schema and records', () => {
    const ds = withTimeSinceObservation(
      { schema: { version: 1, channels: ['v'], metadata: {}, context: {}, label: { name: 'y', task: 'binary' } }, records: [rec('a', [[1, NaN, NaN]])] },
      { scale: 2 },
    );
    expect(ds.schema.channels).toEqual(['v', 'v_since']);
    expect(Array.from(ds.records[0]!.values[1]!)).toEqual([0, 0.5, 1]);
  });
});
