import fc from 'fast-check';
import { isMetaseriesError, type ContextTrack } from '@metaseries/core';
import { alignContext, alignDatasetContext, isLeakFree } from './align-context.js';

const track = (times: number[], values: Array<string | number | null>): ContextTrack => ({ times: Float64Array.from(times), values: { f: values } });

describe('alignContext', () => {
  it('asof takes the last value at or before each point; the last of equal stamps wins', () => {
    const a = alignContext([0, 1, 2, 3, 4], track([1, 1, 3], ['a', 'b', 'c']), 'f', { align: 'asof', kind: 'categorical' });
    expect(a.values).toEqual([null, 'b', 'b', 'c', 'c']);
    expect(Array.from(a.mask)).toEqual([0, 1, 1, 1, 1]);
  });

  it('context that starts after the series, or is older than the tolerance, is missing with mask 0', () => {
    const a = alignContext([0, 10, 20, 30], track([10], [5]), 'f', { align: 'asof', kind: 'numeric', tolerance: 15 });
    expect(a.values).toEqual([null, 5, 5, null]);
    expect(Array.from(a.mask)).toEqual([0, 1, 1, 0]);
  });

  it('ffill skips missing context values, asof does not', () => {
    const t = track([0, 1], ['x', null]);
    expect(alignContext([0, 1, 2], t, 'f', { align: 'asof', kind: 'categorical' }).values).toEqual(['x', null, null]);
    expect(alignContext([0, 1, 2], t, 'f', { align: 'ffill', kind: 'categorical' }).values).toEqual(['x', 'x', 'x']);
  });

  it('linear interpolates (looking ahead) and nearest picks the closest row', () => {
    expect(alignContext([0, 1, 2, 3], track([0, 2], [0, 10]), 'f', { align: 'linear', kind: 'numeric' }).values).toEqual([0, 5, 10, 10]);
    expect(alignContext([0, 1, 2], track([2], [7]), 'f', { align: 'nearest', kind: 'numeric' }).values).toEqual([7, 7, 7]);
    expect(isLeakFree('linear') || isLeakFree('nearest')).toBe(false);
  });

  it('refuses unsorted context times with ALIGN_UNSORTED_TIMES naming the record', () => {
    const err = (() => {
      try {
        alignContext([0, 1], track([2, 1], [1, 2]), 'f', { align: 'asof', kind: 'numeric' }, { recordId: 'u017' });
      } catch (e) {
        return e;
      }
    })();
    expect(isMetaseriesError(err, 'ALIGN_UNSORTED_TIMES')).toBe(true);
    expect((err as { format(): string }).format()).toContain('record u017, field time: saw 1, expected >= 2');
  });

  it('aligns a whole dataset; records without context get an all-zero mask', () => {
    const ds = alignDatasetContext({
      schema: { version: 1, channels: ['v'], metadata: {}, context: { f: { kind: 'numeric', align: 'asof' } }, label: { name: 'y', task: 'binary' } },
      records: [
        { id: 'a', values: [new Float32Array(3)], metadata: {}, context: track([1], [4]) },
        { id: 'b', values: [new Float32Array(2)], metadata: {} },
      ],
    });
    expect(ds.records[0]!.alignedContext!.values.f).toEqual([null, 4, 4]);
    expect(Array.from(ds.records[1]!.alignedContext!.mask.f!)).toEqual([0, 0]);
  });
});

// Property: for the leak-free methods, the value used at a series point was stamped at or
// before that point (and it is exactly the brute-force answer).
const sortedTimes = (max: number) => fc.array(fc.integer({ min: 0, max }), { minLength: 0, maxLength: 30 }).map((a) => a.sort((x, y) => x - y));

describe('alignContext never uses a context value stamped after the series point (property)', () => {
  it.each(['asof', 'ffill'] as const)('%s', (align) => {
    fc.assert(
      fc.property(sortedTimes(100), sortedTimes(100), fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), (seriesT, ctxT, tolerance) => {
        // the value of a context row IS its time stamp, so the property reads directly
        const values = ctxT.map((t, i) => (i % 5 === 4 ? null : t));
        const a = alignContext(seriesT, track(ctxT, values), 'f', { align, kind: 'numeric', tolerance });
        seriesT.forEach((t, i) => {
          const v = a.values[i];
          if (v !== null) {
            expect(v as number).toBeLessThanOrEqual(t);
            if (tolerance !== undefined) expect(t - (v as number)).toBeLessThanOrEqual(tolerance);
          }
          if (align === 'asof') {
            let j = -1;
            ctxT.forEach((c, k) => {
              if (c <= t) j = k;
            });
            const brute = j >= 0 && values[j] !== null && (tolerance === undefined || t - ctxT[j]! <= tolerance) ? values[j] : null;
            expect(v).toBe(brute);
          }
          if (align === 'ffill') {
            let j = -1;
            ctxT.forEach((c, k) => {
              if (c <= t && values[k] !== null) j = k;
            });
            const brute = j >= 0 && (tolerance === undefined || t - ctxT[j]! <= tolerance) ? values[j] : null;
            expect(v).toBe(brute);
          }
        });
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('the look-ahead methods are marked and do look ahead', () => {
  it('linear and nearest use a later row; isLeakFree says so', () => {
    const t = track([0, 10], [0, 10]);
    expect(alignContext([4], t, 'f', { align: 'linear', kind: 'numeric' }).values).toEqual([4]); // uses the row at 10
    expect(alignContext([6], t, 'f', { align: 'nearest', kind: 'numeric' }).values).toEqual([10]);
    expect(alignContext([5], t, 'f', { align: 'nearest', kind: 'numeric' }).values).toEqual([0]); // a tie goes to the earlier row
    expect(['asof', 'ffill', 'linear', 'nearest'].filter((m) => isLeakFree(m as 'asof'))).toEqual(['asof', 'ffill']);
  });
});
