import { createRng, type TensorDataMap } from '@metaseries/core';
import type { Fold } from '../cross-validation/cross-validate.js';
import { runAblation } from './run-ablation.js';
import { permuteTensorBatch } from './permute-tensor-batch.js';
import { permutationImportance } from './ablation.js';
import type { AblationVariant } from './ablation.js';

const rng = createRng(21);
const n = 240;
/** `machine` decides the label (10 % flipped), `site` is noise, the series value carries a weak signal. */
const records = Array.from({ length: n }, () => {
  const machine = rng.next() < 0.5 ? 'A' : 'B';
  const flip = rng.next() < 0.1;
  const label = (machine === 'A') !== flip ? 1 : 0;
  return { machine, site: rng.next() < 0.5 ? 'x' : 'y', s: label + 1.5 * rng.normal(), label };
});
const y = records.map((r) => r.label);
const folds: Fold[] = Array.from({ length: 4 }, (_, f) => ({
  test: records.map((_, i) => i).filter((i) => i % 4 === f),
  train: records.map((_, i) => i).filter((i) => i % 4 !== f),
}));

/** A tiny learner: class frequency per value of the used fields (Laplace-smoothed), or a threshold on the series. */
function train(variant: AblationVariant, fold: Fold) {
  const key = (i: number) => variant.useFields.map((f) => records[i]![f as 'machine' | 'site']).join('|');
  if (variant.useFields.length === 0) {
    const m = (c: number) => {
      const v = fold.train.filter((i) => y[i] === c).map((i) => records[i]!.s);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    const t = (m(0) + m(1)) / 2;
    return (idx: number[]) => idx.map((i) => {
      const p = 1 / (1 + Math.exp(-(records[i]!.s - t)));
      return [1 - p, p];
    });
  }
  const counts = new Map<string, [number, number]>();
  for (const i of fold.train) {
    const c = counts.get(key(i)) ?? [1, 1];
    c[y[i]!]!++;
    counts.set(key(i), c);
  }
  return (idx: number[]) => idx.map((i) => {
    const [a, b] = counts.get(key(i)) ?? [1, 1];
    return [a / (a + b), b / (a + b)];
  });
}

describe('runAblation', () => {
  it('trains every variant on the same folds and seeds and shows what each field is worth', async () => {
    const calls: string[] = [];
    const result = await runAblation(folds, y, (variant, fold, ctx) => {
      calls.push(`${variant.name}@${ctx.foldIndex}:${ctx.seed}`);
      return train(variant, fold);
    }, { task: 'binary', fields: ['machine', 'site'], resamples: 200, seed: 5 });
    expect(result.rows.map((r) => r.variant)).toEqual(['series only', 'all metadata', 'all − machine', 'all − site', 'only machine', 'only site']);
    // same folds, same seeds for every variant
    for (const v of result.rows) expect(calls.filter((c) => c.startsWith(`${v.variant}@`)).map((c) => c.split('@')[1])).toEqual(['0:5', '1:6', '2:7', '3:8']);
    const row = Object.fromEntries(result.rows.map((r) => [r.variant, r]));
    expect(row['all metadata']!.metric.value).toBeGreaterThan(0.85);
    expect(row['series only']!.metric.value).toBeLessThan(0.75);
    expect(row['all metadata']!.versusSeriesOnly!.difference.low).toBeGreaterThan(0);
    // removing the informative field costs accuracy; removing the noise field does not
    expect(row['all − machine']!.versusAll!.difference.high).toBeLessThan(0);
    expect(Math.abs(row['all − site']!.versusAll!.difference.value)).toBeLessThan(0.05);
    expect(row['only site']!.metric.value).toBeLessThan(0.65);
    expect(result.runs[0]!.cv.perFold).toHaveLength(4);
    // print the table the README shows
    console.log(['| variant | accuracy [95% CI] | vs series only [95% CI] | vs all metadata [95% CI] |', '|---|---|---|---|',
      ...result.rows.map((r) => `| ${r.variant} | ${ci(r.metric)} | ${r.versusSeriesOnly ? ci(r.versusSeriesOnly.difference) : '—'} | ${r.versusAll ? ci(r.versusAll.difference) : '—'} |`)].join('\n'));
  });
});

function ci(i: { value: number; low: number; high: number }): string {
  return `${i.value.toFixed(3)} [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]`;
}

describe('permuteTensorBatch', () => {
  const batch = (): TensorDataMap => ({
    series: { dtype: 'float32', shape: [4, 2, 2], data: Float32Array.from([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15, 6, 16, 7, 17]) },
    meta_ward: { dtype: 'int32', shape: [4, 1], data: Int32Array.from([0, 1, 2, 3]) },
  });

  it('shuffles one channel across records and leaves the other channel and inputs alone', () => {
    const b = batch();
    const p = permuteTensorBatch(b, 'channel:1', createRng(1));
    const ch = (d: ArrayLike<number>, c: number) => Array.from(d).filter((_, j) => j % 2 === c);
    expect(ch(p.series!.data, 0)).toEqual(ch(b.series!.data, 0));
    expect(ch(p.series!.data, 1)).not.toEqual(ch(b.series!.data, 1));
    expect([...ch(p.series!.data, 1)].sort((a, c) => a - c)).toEqual(ch(b.series!.data, 1));
    // a record's time steps move together
    const c1 = ch(p.series!.data, 1);
    for (let r = 0; r < 4; r++) expect(c1[2 * r + 1]! - c1[2 * r]!).toBe(1);
    expect(p.meta_ward).toBe(b.meta_ward);
    expect(Array.from(b.series!.data)).toEqual([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15, 6, 16, 7, 17]); // input untouched
  });

  it('shuffles a metadata input by record and names an unknown feature in its error', () => {
    const p = permuteTensorBatch(batch(), 'meta_ward', createRng(2));
    expect([...p.meta_ward!.data].sort()).toEqual([0, 1, 2, 3]);
    expect(() => permuteTensorBatch(batch(), 'meta_nope', createRng(2))).toThrow(expect.objectContaining({ code: 'EVAL_UNKNOWN_FEATURE' }));
    expect(() => permuteTensorBatch(batch(), 'channel:5', createRng(2))).toThrow(expect.objectContaining({ code: 'EVAL_UNKNOWN_FEATURE' }));
  });

  it('drives permutation importance per channel and per field', async () => {
    const r = createRng(3);
    const B = 200;
    const series = new Float32Array(B * 3 * 2);
    const ward = new Int32Array(B);
    const labels: number[] = [];
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < 6; j++) series[i * 6 + j] = r.normal();
      ward[i] = r.int(3);
      labels.push(series[i * 6]! + series[i * 6 + 2]! > 0 ? 1 : 0); // channel 0 decides
    }
    const b: TensorDataMap = { series: { dtype: 'float32', shape: [B, 3, 2], data: series }, meta_ward: { dtype: 'int32', shape: [B, 1], data: ward } };
    const predict = (x: TensorDataMap) => Array.from({ length: B }, (_, i) => {
      const p = x.series!.data[i * 6]! + x.series!.data[i * 6 + 2]! > 0 ? 0.9 : 0.1;
      return [1 - p, p];
    });
    const imp = await permutationImportance(b, labels, ['meta_ward', 'channel:0', 'channel:1'], predict, permuteTensorBatch, { task: 'binary', seed: 4 });
    expect(imp[0]!.feature).toBe('channel:0');
    expect(imp[0]!.importance).toBeGreaterThan(0.3);
    expect(imp.find((f) => f.feature === 'meta_ward')!.importance).toBe(0);
  });
});
