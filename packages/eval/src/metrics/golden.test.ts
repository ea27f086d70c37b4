import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeMetrics } from './compute-metrics.js';

interface Fixture {
  name: string;
  task: 'binary' | 'multiclass' | 'multilabel' | 'regression';
  yTrue: number[] | number[][];
  probabilities?: number[][];
  predictions?: number[];
  expected: Record<string, number>;
  /** Where each expected value comes from (`sklearn` or a numpy definition). */
  reference: Record<string, string>;
  confusionMatrix?: number[][];
  perLabel?: Record<'precision' | 'recall' | 'f1' | 'support' | 'auroc' | 'pr_auc', number[]>;
}

const golden = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/golden.json'), 'utf8')) as { sklearn: string; fixtures: Fixture[] };

const TOLERANCE = 1e-9;

describe(`metrics match scikit-learn ${golden.sklearn} (fixtures made by tools/eval-fixtures/make-golden.py)`, () => {
  /** metric → largest |ours − reference| over the fixtures, and the references it came from. */
  const worst = new Map<string, { diff: number; fixtures: Set<string>; references: Set<string> }>();
  const record = (fixture: string, metric: string, diff: number, reference: string) => {
    const w = worst.get(metric) ?? { diff: 0, fixtures: new Set<string>(), references: new Set<string>() };
    w.diff = Math.max(w.diff, diff);
    w.fixtures.add(fixture);
    w.references.add(reference);
    worst.set(metric, w);
  };
  afterAll(() => {
    const rows = [...worst.entries()].map(([m, w]) => `| ${m} | ${w.fixtures.size} | ${w.diff.toExponential(1)} | ${[...w.references].join('; ')} |`);
    console.log(['| metric | fixtures | max abs diff | reference |', '|---|---|---|---|', ...rows].join('\n'));
  });

  it('covers every task', () => {
    expect(new Set(golden.fixtures.map((f) => f.task))).toEqual(new Set(['binary', 'multiclass', 'multilabel', 'regression']));
  });

  it.each(golden.fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const report = computeMetrics(f.task, f.yTrue, f.task === 'regression' ? f.predictions! : f.probabilities!);
    for (const [metric, want] of Object.entries(f.expected)) {
      const got = (report.values as Record<string, number | undefined>)[metric];
      if (got === undefined) throw new Error(`${f.name}: metaseries reports no ${metric}`);
      const diff = Math.abs(got - want);
      record(f.name, metric, diff, f.reference[metric]!);
      if (!(diff < TOLERANCE)) throw new Error(`${f.name}: ${metric} is ${got}, scikit-learn says ${want}`);
    }
    if (f.confusionMatrix) expect(report.details!.confusionMatrix).toEqual(f.confusionMatrix);
    if (f.perLabel) {
      const ours = report.labelDetails!.perLabel;
      for (const [key, want] of Object.entries(f.perLabel)) {
        want.forEach((w, c) => {
          const diff = Math.abs(ours[c]![key as keyof (typeof ours)[number]] - w);
          record(f.name, `per-label ${key}`, diff, 'sklearn (average=None)');
          expect(diff).toBeLessThan(TOLERANCE);
        });
      }
    }
  });
});
