import { createRng } from '@metaseries/core';
import type { Task } from '@metaseries/core';
import { computeMetrics } from './compute-metrics.js';
import { metricScorer } from './metric-scorer.js';

describe('metricScorer', () => {
  const rng = createRng(9);
  const n = 60;
  const row = (k: number) => {
    const e = Array.from({ length: k }, () => Math.exp(rng.normal()));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const cases: Array<{ task: Task; y: Array<number | number[]>; out: Array<number | number[]>; metrics: string[] }> = [
    { task: 'binary', y: Array.from({ length: n }, () => rng.int(2)), out: Array.from({ length: n }, () => row(2)), metrics: ['accuracy', 'log_loss', 'brier', 'auroc', 'f1_macro'] },
    { task: 'multiclass', y: Array.from({ length: n }, () => rng.int(4)), out: Array.from({ length: n }, () => row(4)), metrics: ['accuracy', 'log_loss', 'brier', 'balanced_accuracy'] },
    { task: 'multilabel', y: Array.from({ length: n }, () => [rng.int(2), rng.int(2), rng.int(2)]), out: Array.from({ length: n }, () => [rng.next(), rng.next(), rng.next()]), metrics: ['accuracy', 'hamming_loss', 'log_loss', 'brier', 'f1_micro'] },
    { task: 'regression', y: Array.from({ length: n }, () => rng.normal() * 10), out: Array.from({ length: n }, () => rng.normal() * 10), metrics: ['rmse', 'mae', 'r2', 'phm08_score'] },
  ];

  it.each(cases.map((c) => [c.task, c] as const))('scores any resample of %s records exactly as computeMetrics does', (_t, c) => {
    for (const metric of c.metrics) {
      const score = metricScorer(c.task, c.y, c.out, metric);
      for (let r = 0; r < 5; r++) {
        const idx = Array.from({ length: n }, () => rng.int(n));
        const want = (computeMetrics(c.task, idx.map((i) => c.y[i]!), idx.map((i) => c.out[i]!)).values as Record<string, number>)[metric]!;
        expect(Math.abs(score(idx) - want)).toBeLessThan(1e-12);
      }
    }
  });
});
