import type { SeriesRecord } from '@metaseries/core';
import { fitNormaliser, applyNormaliser } from './normaliser.js';
import { asTrainIndices } from '../split/split-dataset.js';

const rec = (id: string, values: number[][], regime = 'a'): SeriesRecord => ({ id, values: values.map((v) => Float32Array.from(v)), metadata: { regime } });

describe('normalisers', () => {
  const records = [rec('t1', [[1, 2, 3], [10, 10, 10]]), rec('t2', [[4, 5, NaN], [10, 20, 30]], 'b'), rec('v1', [[1000, 1000, 1000], [0, 0, 0]])];
  const train = asTrainIndices([0, 1]);

  it('z-score per channel uses training statistics only (a huge validation value changes nothing)', () => {
    const s = fitNormaliser(records, train);
    expect(s.stats['*']!.center[0]).toBeCloseTo(3, 6);
    const out = applyNormaliser(s, records);
    expect(Number.isNaN(out[1]!.values[0]![2]!)).toBe(true); // NaN stays NaN
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON
  });

  it('min-max, robust, global, instance and per-group scopes', () => {
    const mm = applyNormaliser(fitNormaliser(records, train, { method: 'minmax' }), records);
    expect(Array.from(mm[0]!.values[0]!)).toEqual([0, 0.25, 0.5]);
    const inst = applyNormaliser(fitNormaliser(records, train, { scope: 'instance' }), [records[2]!]);
    expect(Array.from(inst[0]!.values[0]!)).toEqual([0, 0, 0]);
    const grp = fitNormaliser(records, train, { scope: 'group', groupBy: 'regime' });
    expect(Object.keys(grp.stats).sort()).toEqual(['*', '=a', '=b']);
    const unseen = applyNormaliser(grp, [rec('x', [[3, 3, 3], [10, 10, 10]], 'never-seen')]);
    expect(unseen[0]!.values[0]![0]).toBeCloseTo(0, 6); // falls back to the global statistics
    const rb = fitNormaliser(records, train, { method: 'robust', scope: 'global' });
    expect(rb.stats['*']!.center[0]).toBe(rb.stats['*']!.center[1]);
  });
});
