import { parseRunConfig } from '../config/run-config.js';
import { fit, splitRunData } from '../train/fit.js';
import { evaluate } from './evaluate.js';

const config = (scenario: string, over: Record<string, unknown> = {}) =>
  parseRunConfig({
    data: { scenario: { name: scenario, n: 120, length: 12, seed: 2, noise: 0.3, groups: 20 } },
    model: { encoder: 'lstm', fusion: 'early', units: 8, headUnits: 8, dropout: 0 },
    split: { valid: 0.2, test: 0.25, seed: 3 },
    train: { epochs: 6, batchSize: 32, learningRate: 0.02, backend: 'cpu', earlyStopping: false, ...over },
  });

describe('evaluate', () => {
  it('evaluate scores a bundle on labelled records with the metrics fit reported, plus intervals', async () => {
    const cfg = config('machine-type', { epochs: 3 });
    const { bundle, metrics } = await fit(cfg);
    const { test } = await splitRunData(cfg);
    const result = await evaluate(bundle, test, { resamples: 200 });
    expect(result.n).toBe(test.length);
    expect(result.metrics.accuracy).toBeCloseTo(metrics.test!.accuracy!, 10);
    expect(result.metrics.loss).toBeCloseTo(metrics.test!.loss!, 6);
    expect(result.metrics).toHaveProperty('auroc');
    const ci = result.intervals.accuracy!;
    expect(ci.low).toBeLessThanOrEqual(ci.value);
    expect(ci.high).toBeGreaterThanOrEqual(ci.value);
    expect(result.report.details).toBeDefined();
  });

});
