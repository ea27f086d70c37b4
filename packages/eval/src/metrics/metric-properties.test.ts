import fc from 'fast-check';
import { auroc, averagePrecision } from './classification.js';
import { computeMetrics } from './compute-metrics.js';

// scores on a 0.01 grid (with ties), so a monotone transform stays strictly monotone in floating point
const binaryCase = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100 }).map((v) => v / 100)), { minLength: 4, maxLength: 60 }).filter((r) => r.some(([p]) => p) && r.some(([p]) => !p));
const multiclassCase = fc.integer({ min: 3, max: 5 }).chain((k) =>
  fc.tuple(
    fc.constant(k),
    fc.array(fc.tuple(fc.integer({ min: 0, max: k - 1 }), fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: k, maxLength: k })), { minLength: k, maxLength: 50 }),
    fc.shuffledSubarray(Array.from({ length: k }, (_, i) => i), { minLength: k, maxLength: k }),
  ),
);

describe('metric invariants', () => {
  it('AUROC and average precision depend only on the order of the scores', () => {
    fc.assert(
      fc.property(binaryCase, (rows) => {
        const pos = rows.map(([p]) => p);
        const s = rows.map(([, v]) => v);
        const t = s.map((v) => v ** 3 + 2); // strictly increasing transform
        expect(auroc(pos, t)).toBeCloseTo(auroc(pos, s), 12);
        expect(averagePrecision(pos, t)).toBeCloseTo(averagePrecision(pos, s), 12);
        expect(auroc(pos, s.map((v) => -v))).toBeCloseTo(1 - auroc(pos, s), 12);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('scores do not depend on the order of the classes, and stay in their ranges', () => {
    fc.assert(
      fc.property(multiclassCase, ([k, rows, perm]) => {
        const y = rows.map(([t]) => t);
        const p = rows.map(([, r]) => {
          const s = r.reduce((a, b) => a + b, 0);
          return r.map((v) => v / s);
        });
        // class c becomes class perm[c]: move the columns and the labels together
        const y2 = y.map((t) => perm[t]!);
        const p2 = p.map((r) => {
          const out = new Array<number>(k);
          r.forEach((v, c) => (out[perm[c]!] = v));
          return out;
        });
        const a = computeMetrics('multiclass', y, p).values as Record<string, number>;
        const b = computeMetrics('multiclass', y2, p2).values as Record<string, number>;
        const ties = p.some((r) => new Set(r).size < r.length); // argmax ties break by position
        for (const m of ['log_loss', 'brier', 'auroc', 'pr_auc']) expect(b[m]).toBeCloseTo(a[m]!, 10);
        if (!ties) for (const m of ['accuracy', 'balanced_accuracy', 'f1_macro', 'f1_weighted', 'ece']) expect(b[m]).toBeCloseTo(a[m]!, 10);
        for (const m of ['accuracy', 'balanced_accuracy', 'f1_macro', 'auroc', 'pr_auc', 'brier', 'ece']) {
          expect(a[m]).toBeGreaterThanOrEqual(0);
          expect(a[m]).toBeLessThanOrEqual(m === 'brier' ? 2 : 1);
        }
        expect(a.f1_micro).toBe(a.accuracy);
      }),
      { seed: 7, numRuns: 100 },
    );
  });
});
