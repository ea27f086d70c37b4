import { createRng, isMetaseriesError } from '@metaseries/core';
import { compareCrossValidated, crossValidate, type Fold } from './cross-validate.js';

/** k contiguous folds over n records (what data's kFold gives, without importing data). */
function folds(n: number, k: number): Fold[] {
  return Array.from({ length: k }, (_, f) => {
    const test = Array.from({ length: n }, (_, i) => i).filter((i) => i % k === f);
    return { test, train: Array.from({ length: n }, (_, i) => i).filter((i) => i % k !== f) };
  });
}

const rng = createRng(11);
const x = Array.from({ length: 300 }, () => rng.normal());
const y = x.map((v) => (v + 0.8 * rng.normal() > 0 ? 'hot' : 'cold'));
const classes = ['cold', 'hot'];
/** A model that learns a threshold on x from its training records. */
const thresholdModel = (sharpness: number) => (fold: Fold) => {
  const mean = (c: string) => {
    const v = fold.train.filter((i) => y[i] === c).map((i) => x[i]!);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const t = (mean('hot') + mean('cold')) / 2;
  return (idx: number[]) => idx.map((i) => {
    const p = 1 / (1 + Math.exp(-sharpness * (x[i]! - t)));
    return [1 - p, p];
  });
};
const coinModel = () => (idx: number[]) => idx.map((i) => (i % 2 ? [0.4, 0.6] : [0.6, 0.4]));

describe('crossValidate', () => {
  it('scores every record once out of fold, per fold and pooled with an interval, seeding fold i with seed + i', async () => {
    const seen: number[] = [];
    const cv = await crossValidate(folds(300, 5), y, (fold, ctx) => {
      seen.push(ctx.seed);
      return thresholdModel(3)(fold);
    }, { task: 'binary', classes, seed: 7, resamples: 300 });
    expect(seen).toEqual([7, 8, 9, 10, 11]);
    expect([...cv.outOfFold.indices].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(cv.perFold.map((p) => p.n)).toEqual([60, 60, 60, 60, 60]);
    expect(cv.pooled.value).toBeGreaterThan(0.75);
    expect(cv.pooled.low).toBeLessThan(cv.pooled.value);
    expect(cv.pooled.high).toBeGreaterThan(cv.pooled.value);
    expect(cv.mean).toBeCloseTo(cv.pooled.value, 10); // equal-size folds: mean of fold accuracies = pooled accuracy
    expect(cv.sd).toBeGreaterThan(0);
    expect(cv.pooledValues.auroc).toBeGreaterThan(0.8);
  });

  it('hands predict the batch built by makeBatch and refuses a predict that returns the wrong count', async () => {
    const cv = await crossValidate(folds(20, 2), y.slice(0, 20), () => (batch: { rows: number[] }) => batch.rows.map(() => [0.5, 0.5]), {
      task: 'binary', classes, makeBatch: (rows) => ({ rows }), resamples: 10,
    });
    expect(cv.outOfFold.outputs).toHaveLength(20);
    await expect(crossValidate(folds(20, 2), y.slice(0, 20), () => () => [[0.5, 0.5]], { task: 'binary', classes })).rejects.toMatchObject({ code: 'EVAL_SHAPE_MISMATCH' });
    await expect(crossValidate([{ train: [0], test: [99] }], y.slice(0, 20), coinModel, { task: 'binary', classes })).rejects.toMatchObject({ code: 'EVAL_BAD_INDEX' });
  });
});

describe('compareCrossValidated', () => {
  it('finds a real improvement on the same folds: paired interval above 0, McNemar significant', async () => {
    const f = folds(300, 5);
    const a = await crossValidate(f, y, () => coinModel(), { task: 'binary', classes, resamples: 200 });
    const b = await crossValidate(f, y, thresholdModel(3), { task: 'binary', classes, resamples: 200 });
    const cmp = compareCrossValidated(y, a, b, { task: 'binary', classes, resamples: 300 });
    expect(cmp.difference.value).toBeGreaterThan(0.2);
    expect(cmp.difference.low).toBeGreaterThan(0);
    expect(cmp.pValue).toBeLessThan(0.01);
    expect(cmp.perFoldImprovement.every((d) => d > 0)).toBe(true);
    expect(cmp.mcnemar!.pValue).toBeLessThan(1e-6);
    expect(cmp.mcnemar!.exact).toBe(false);
  });

  it('reads improvement in the metric direction: lower log loss is better', async () => {
    const f = folds(300, 5);
    const soft = await crossValidate(f, y, thresholdModel(1), { task: 'binary', classes, metric: 'log_loss', resamples: 100 });
    const sharp = await crossValidate(f, y, thresholdModel(40), { task: 'binary', classes, metric: 'log_loss', resamples: 100 });
    // a far too sharp model has the higher log loss: the soft one is the better
    const cmp = compareCrossValidated(y, sharp, soft, { task: 'binary', classes, resamples: 300 });
    expect(cmp.difference.value).toBeLessThan(0);
    expect(cmp.pValue).toBeLessThan(0.05);
    expect(cmp.perFoldImprovement.filter((d) => d > 0).length).toBeGreaterThanOrEqual(4);
  });

  it('refuses results from different folds', async () => {
    const a = await crossValidate(folds(40, 2), y.slice(0, 40), () => coinModel(), { task: 'binary', classes, resamples: 10 });
    const b = await crossValidate(folds(40, 4), y.slice(0, 40), () => coinModel(), { task: 'binary', classes, resamples: 10 });
    let err: unknown;
    try {
      compareCrossValidated(y.slice(0, 40), a, b, { task: 'binary', classes });
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err) && err.code).toBe('EVAL_FOLDS_MISMATCH');
  });
});
