import fc from 'fast-check';
import { isMetaseriesError, type ContextTrack } from '@metaseries/core';
import { resample } from './resample.js';

const track = (times: number[], values: Array<string | number | null>): ContextTrack => ({ times: Float64Array.from(times), values: { f: values } });

describe('resample', () => {
  const t = track([0, 1, 1, 4, 6], [1, 2, 3, null, 5]);

  it('aggregates the rows of each backward bin (g[k-1], g[k]]', () => {
    expect(resample(t, [1, 5, 10], 'last').values.f).toEqual([3, null, 5]);
    expect(resample(t, [1, 5, 10], 'mean').values.f).toEqual([2, null, 5]);
    expect(resample(t, [1, 5, 10], 'count').values.f).toEqual([3, 0, 1]);
    expect(resample(t, [1, 10], 'sum').values.f).toEqual([6, 5]);
    expect(resample(t, [1, 10], 'min').values.f).toEqual([1, 5]);
    expect(resample(t, [1, 10], 'max').values.f).toEqual([3, 5]);
    expect(resample(t, [1, 10], 'first').values.f).toEqual([1, 5]);
  });

  it('refuses numeric aggregates of categories and unsorted grids', () => {
    expect(() => resample(track([0], ['a']), [1], 'mean')).toThrow(expect.objectContaining({ code: 'ALIGN_BAD_AGG' }));
    let err: unknown;
    try {
      resample(t, [2, 1]);
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'ALIGN_UNSORTED_TIMES')).toBe(true);
  });

  it('never uses a row stamped after its grid time (property)', () => {
    const sorted = fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 25 }).map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(sorted, sorted, fc.constantFrom('last' as const, 'first' as const, 'max' as const), (ctx, grid, agg) => {
        // the value of a row is its own stamp
        const r = resample(track(ctx, ctx), grid, agg);
        grid.forEach((g, k) => {
          const v = r.values.f![k];
          if (v !== null) expect(v as number).toBeLessThanOrEqual(g);
        });
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});
