import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeMetrics } from './compute-metrics.js';

interface Fixture {
  name: string;
  task: 'binary' | 'multiclass' | 'regression';
  yTrue: number[];
  probabilities?: number[][];
  predictions?: number[];
  expected: Record<string, number>;
  confusionMatrix?: number[][];
}

const golden = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/golden.json'), 'utf8')) as { sklearn: string; fixtures: Fixture[] };

describe(`metrics match scikit-learn ${golden.sklearn} (fixtures made by tools/eval-fixtures/make-golden.py)`, () => {
  const table: string[] = [];
  afterAll(() => console.log(['| fixture | metric | scikit-learn | metaseries | abs diff |', '|---|---|---|---|---|', ...table].join('\n')));

  it.each(golden.fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const report = computeMetrics(f.task, f.yTrue, f.task === 'regression' ? f.predictions! : f.probabilities!);
    for (const [metric, want] of Object.entries(f.expected)) {
      const got = report.values[metric as keyof typeof report.values];
      expect(got).toBeDefined();
      const diff = Math.abs(got! - want);
      table.push(`| ${f.name} | ${metric} | ${want.toFixed(6)} | ${got!.toFixed(6)} | ${diff.toExponential(1)} |`);
      expect(diff).toBeLessThan(1e-9);
    }
    if (f.confusionMatrix) expect(report.details!.confusionMatrix).toEqual(f.confusionMatrix);
  });
});
