import fc from 'fast-check';
import type { SeriesRecord } from '@metaseries/core';
import { splitDataset, kFold, stratifiedKFold, groupKFold, stratifiedGroupKFold } from './split-dataset.js';

const rec = (i: number, label: string, group: string): SeriesRecord => ({ id: `r${i}`, values: [new Float32Array(1)], metadata: { patient: group }, label, group });

describe('splitDataset', () => {
  const records = Array.from({ length: 200 }, (_, i) => rec(i, i % 4 === 0 ? 'rare' : 'common', `g${i % 37}`));

  it('is seeded: the same seed gives the same split, another seed another', () => {
    expect(splitDataset(records, { seed: 1 })).toEqual(splitDataset(records, { seed: 1 }));
    expect(splitDataset(records, { seed: 1 }).test).not.toEqual(splitDataset(records, { seed: 2 }).test);
  });

  it('stratified keeps class proportions in every split', () => {
    const s = splitDataset(records, { strategy: 'stratified', valid: 0.2, test: 0.2, seed: 3 });
    for (const part of [s.train, s.valid, s.test]) {
      const rare = part.filter((i) => records[i]!.label === 'rare').length / part.length;
      expect(Math.abs(rare - 0.25)).toBeLessThan(0.03);
    }
    expect(s.train.length + s.valid.length + s.test.length).toBe(200);
  });

  it('never puts one group in two splits (property, any seed, metadata field or record group)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom('group', 'patient'), fc.constantFrom('group' as const, 'stratified-group' as const), (seed, groupBy, strategy) => {
        const s = splitDataset(records, { strategy, groupBy, seed });
        const where = new Map<string, string>();
        for (const [name, idx] of Object.entries(s)) {
          for (const i of idx as number[]) {
            const g = records[i]!.group!;
            if (where.has(g)) expect(where.get(g)).toBe(name);
            where.set(g, name);
          }
        }
      }),
      { numRuns: 50, seed: 11 },
    );
  });

  it('k-fold: every record in exactly one test fold, groups never straddle folds', () => {
    const folds = kFold(records, { k: 5, groupBy: 'patient', seed: 4 });
    const seen = new Map<number, number>();
    folds.forEach((f, k) => f.test.forEach((i) => seen.set(i, k)));
    expect(seen.size).toBe(200);
    const foldOfGroup = new Map<string, number>();
    for (const [i, k] of seen) {
      const g = records[i]!.group!;
      if (foldOfGroup.has(g)) expect(foldOfGroup.get(g)).toBe(k);
      foldOfGroup.set(g, k);
    }
  });

  it('stratified splits keep class proportions within 0.05 (property: random labels, shares, seeds)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 200, maxLength: 400 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (labels, tenths, seed) => {
          const rs = labels.map((l, i) => rec(i, l, `g${i}`));
          const share = tenths / 10;
          const s = splitDataset(rs, { strategy: 'stratified', valid: share, test: share, seed });
          for (const cls of ['a', 'b', 'c']) {
            const overall = labels.filter((l) => l === cls).length / labels.length;
            for (const part of [s.train, s.valid, s.test]) {
              // one record of rounding per class and split, plus 0.05
              const p = part.filter((i) => labels[i] === cls).length / part.length;
              expect(Math.abs(p - overall)).toBeLessThan(0.05 + 3 / part.length);
            }
          }
        },
      ),
      { numRuns: 60, seed: 13 },
    );
  });

  it('named k-fold forms: stratified folds keep proportions, group folds keep groups whole', () => {
    const strat = stratifiedKFold(records, { k: 4, seed: 1 });
    for (const f of strat) expect(Math.abs(f.test.filter((i) => records[i]!.label === 'rare').length / f.test.length - 0.25)).toBeLessThan(0.03);
    for (const folds of [groupKFold(records, { k: 4, seed: 2 }), stratifiedGroupKFold(records, { k: 4, groupBy: 'patient', seed: 3 })]) {
      for (const f of folds) {
        const testGroups = new Set(f.test.map((i) => records[i]!.group));
        expect(f.train.some((i) => testGroups.has(records[i]!.group))).toBe(false);
        expect(f.train.length + f.test.length).toBe(records.length);
      }
    }
    expect(stratifiedKFold(records, { seed: 5 })).toEqual(stratifiedKFold(records, { seed: 5 }));
  });
});
