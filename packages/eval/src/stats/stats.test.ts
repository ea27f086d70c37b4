import { bootstrapInterval, pairedBootstrap, mcnemar } from './bootstrap.js';
import { fitTemperature, applyTemperature } from '../calibration/temperature-scaling.js';
import { ablationVariants, ablationTable, permutationImportance, sliceMetrics } from '../ablation/ablation.js';
import { phm08Score } from '../metrics/regression.js';
import { createRng } from '@metaseries/core';

describe('bootstrap and paired tests', () => {
  const correct = Array.from({ length: 200 }, (_, i) => i % 10 < 8); // accuracy 0.8
  const acc = (c: boolean[]) => (idx: number[]) => idx.filter((i) => c[i]).length / idx.length;

  it('gives an interval around the estimate that narrows with more data, and is seeded', () => {
    const a = bootstrapInterval(200, acc(correct), { seed: 1 });
    expect(a.value).toBeCloseTo(0.8, 10);
    expect(a.low).toBeLessThan(0.8);
    expect(a.high).toBeGreaterThan(0.8);
    expect(a.high - a.low).toBeLessThan(0.15);
    expect(bootstrapInterval(200, acc(correct), { seed: 1 })).toEqual(a);
  });

  it('paired bootstrap finds a real improvement and McNemar agrees', () => {
    const better = correct.map((c, i) => c || i % 10 === 8); // 0.9
    const cmp = pairedBootstrap(200, acc(correct), acc(better), { seed: 2 });
    expect(cmp.difference.value).toBeCloseTo(0.1, 10);
    expect(cmp.difference.low).toBeGreaterThan(0);
    expect(cmp.pValue).toBeLessThan(0.05);
    const m = mcnemar(correct, better);
    expect(m).toMatchObject({ b: 0, c: 20, exact: true });
    expect(m.pValue).toBeLessThan(1e-5); // exact binomial: 2 * 0.5^20
    expect(mcnemar(correct, correct).pValue).toBe(1);
  });
});

describe('McNemar', () => {
  const pairs = (b: number, c: number, both: number) => {
    const a: boolean[] = [];
    const bb: boolean[] = [];
    const add = (x: boolean, y: boolean, count: number) => {
      for (let i = 0; i < count; i++) {
        a.push(x);
        bb.push(y);
      }
    };
    add(true, false, b);
    add(false, true, c);
    add(true, true, both);
    return [a, bb] as const;
  };

  it('gives the exact two-sided binomial p below 25 discordant records', () => {
    // b = 2, c = 8: 2 · (C(10,0) + C(10,1) + C(10,2)) / 2^10 = 0.109375
    const m = mcnemar(...pairs(2, 8, 30));
    expect(m).toMatchObject({ b: 2, c: 8, exact: true });
    expect(m.pValue).toBeCloseTo(0.109375, 12);
    expect(mcnemar(...pairs(5, 5, 0)).pValue).toBe(1);
  });

  it('uses the continuity-corrected chi-squared from 25 discordant records on', () => {
    // b = 10, c = 30: (|10 − 30| − 1)² / 40 = 9.025, p = erfc(√4.5125) = 0.00266312 (Python's math.erfc)
    const m = mcnemar(...pairs(10, 30, 5));
    expect(m.exact).toBe(false);
    expect(m.statistic).toBeCloseTo(9.025, 12);
    expect(m.pValue).toBeCloseTo(0.00266312, 6);
  });
});

describe('temperature scaling', () => {
  it('cools an over-confident model and lowers the validation NLL', () => {
    const rng = createRng(3);
    const y: number[] = [];
    const logits: number[][] = [];
    for (let i = 0; i < 400; i++) {
      const t = rng.int(3);
      const l = [rng.normal(), rng.normal(), rng.normal()];
      l[t]! += 1;
      y.push(t);
      logits.push(l.map((v) => v * 4)); // 4x too confident
    }
    const s = fitTemperature(logits, y);
    expect(s.temperature).toBeGreaterThan(2);
    expect(s.nllAfter).toBeLessThan(s.nllBefore);
    expect(applyTemperature([[0, 0, 0]], s)[0]).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('ablation, importance and slices', () => {
  it('lists series-only, all, all-minus-each and each-alone variants', () => {
    expect(ablationVariants(['a', 'b']).map((v) => v.name)).toEqual(['series only', 'all metadata', 'all − a', 'all − b', 'only a', 'only b']);
  });

  it('shows a field that carries the label as worth something, with intervals', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'x' : 'y'));
    const perfect = y.map((l) => (l === 'y' ? [0.9, 0.1] : [0.1, 0.9]));
    const coin = y.map((_, i) => (i % 4 < 2 ? [0.6, 0.4] : [0.4, 0.6]));
    const rows = ablationTable(y, [
      { variant: { name: 'series only', useFields: [] }, outputs: coin },
      { variant: { name: 'all metadata', useFields: ['m'] }, outputs: perfect },
    ], { task: 'binary', classes: ['y', 'x'], resamples: 200 });
    expect(rows[1]!.metric.value).toBe(1);
    expect(rows[1]!.versusSeriesOnly!.difference.low).toBeGreaterThan(0.3);
  });

  it('permutation importance ranks the informative feature first', async () => {
    const rng = createRng(5);
    const batch = Array.from({ length: 200 }, () => ({ signal: rng.next(), noise: rng.next() }));
    const y = batch.map((b) => (b.signal > 0.5 ? 1 : 0));
    const predict = (rows: typeof batch) => rows.map((r) => [1 - r.signal, r.signal]);
    const permute = (rows: typeof batch, f: string, r: ReturnType<typeof createRng>) => {
      const vals = r.shuffle(rows.map((x) => x[f as 'signal']));
      return rows.map((x, i) => ({ ...x, [f]: vals[i] }));
    };
    const imp = await permutationImportance(batch, y, ['noise', 'signal'], predict, permute, { task: 'binary', seed: 1 });
    expect(imp[0]!.feature).toBe('signal');
    expect(imp[0]!.importance).toBeGreaterThan(0.3);
    expect(Math.abs(imp[1]!.importance)).toBeLessThan(1e-12);
  });

  it('scores slices of a categorical field', () => {
    const s = sliceMetrics('binary', [0, 1, 0, 1], [[0.9, 0.1], [0.2, 0.8], [0.2, 0.8], [0.9, 0.1]], ['icu', 'icu', 'er', 'er']);
    expect(s.map((x) => [x.slice, x.values.accuracy])).toEqual([['er', 0], ['icu', 1]]);
  });

  it('PHM08 penalises late predictions more than early ones', () => {
    expect(phm08Score([100], [110])).toBeGreaterThan(phm08Score([100], [90]));
    expect(phm08Score([100], [100])).toBe(0);
  });
});
