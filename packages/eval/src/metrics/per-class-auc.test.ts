import { averagePrecision, auroc } from './classification.js';
import { computeMetrics } from './compute-metrics.js';

describe('multiclass details: one-vs-rest AUROC and average precision of each class', () => {
  // class 3 never occurs in yTrue
  const yTrue = [0, 1, 2, 0, 1, 2, 1, 0];
  const probs = [
    [0.7, 0.1, 0.1, 0.1],
    [0.2, 0.5, 0.2, 0.1],
    [0.1, 0.2, 0.6, 0.1],
    [0.3, 0.4, 0.2, 0.1],
    [0.1, 0.3, 0.5, 0.1],
    [0.2, 0.1, 0.6, 0.1],
    [0.25, 0.45, 0.2, 0.1],
    [0.4, 0.3, 0.2, 0.1],
  ];
  const report = computeMetrics('multiclass', yTrue, probs);

  it('has one value per class, NaN for a class with no records, each the binary metric of that class', () => {
    const aucs = report.details!.perClassAuroc!;
    const aps = report.details!.perClassPrAuc!;
    expect(aucs).toHaveLength(4);
    expect(Number.isNaN(aucs[3]!)).toBe(true);
    expect(Number.isNaN(aps[3]!)).toBe(true);
    for (let c = 0; c < 3; c++) {
      const pos = yTrue.map((t) => t === c);
      const s = probs.map((r) => r[c]!);
      expect(aucs[c]).toBeCloseTo(auroc(pos, s), 12);
      expect(aps[c]).toBeCloseTo(averagePrecision(pos, s), 12);
    }
  });

  it('averages to the reported auroc and pr_auc', () => {
    const mean = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).reduce((a, b) => a + b, 0) / 3;
    expect(report.values.auroc).toBeCloseTo(mean(report.details!.perClassAuroc!), 12);
    expect(report.values.pr_auc).toBeCloseTo(mean(report.details!.perClassPrAuc!), 12);
  });
});
