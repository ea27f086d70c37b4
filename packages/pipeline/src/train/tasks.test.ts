import { createRng, type Dataset, type LabelValue, type SeriesRecord, type Task } from '@metaseries/core';
import { parseRunConfig } from '../config/run-config.js';
import { predict } from '../predict/predict.js';
import { fit } from './fit.js';

/** Series whose level and trend decide the label; a categorical field rides along. */
function dataset(task: Task, n: number, seed: number, label: (level: number, trend: number) => LabelValue): Dataset {
  const rng = createRng(seed);
  const T = 6;
  const records: SeriesRecord[] = Array.from({ length: n }, (_, i) => {
    const level = rng.normal();
    const trend = rng.normal();
    const x = Float32Array.from({ length: T }, (_, t) => level + trend * (t / T - 0.5) + 0.05 * rng.normal());
    return { id: `r${i}`, values: [x], metadata: { kind: rng.next() < 0.5 ? 'a' : 'b' }, label: label(level, trend) };
  });
  return { schema: { version: 1, channels: ['x'], metadata: { kind: { kind: 'categorical' } }, context: {}, label: { name: 'y', task } }, records };
}

const config = (epochs: number) =>
  parseRunConfig({
    data: { series: { path: 'unused.csv' } },
    model: { encoder: 'lstm', fusion: 'late', units: 8, headUnits: 8, dropout: 0 },
    split: { strategy: 'random', valid: 0.2, test: 0.2, seed: 1 },
    train: { epochs, batchSize: 16, learningRate: 0.03, backend: 'cpu', earlyStopping: false },
  });

describe('fit on every task', () => {
  it('multiclass: learns three level bands', async () => {
    const data = dataset('multiclass', 120, 1, (l) => (l < -0.5 ? 'low' : l > 0.5 ? 'high' : 'mid'));
    const { bundle, metrics } = await fit(config(10), data);
    expect(metrics.test!.accuracy).toBeGreaterThan(0.6);
    const [p] = await predict(bundle, data.records.slice(0, 1));
    expect(Object.keys(p!.probabilities!).sort()).toEqual(['high', 'low', 'mid']);
    expect(Object.values(p!.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('multilabel: learns two independent labels', async () => {
    const data = dataset('multilabel', 120, 2, (l, t) => [...(l > 0 ? ['high'] : []), ...(t > 0 ? ['rising'] : [])]);
    const { bundle, metrics } = await fit(config(10), data);
    expect(metrics.test!.f1_macro).toBeGreaterThan(0.6);
    const [p] = await predict(bundle, data.records.slice(0, 1));
    expect(Array.isArray(p!.label)).toBe(true);
  });

  it('regression: predicts a value in label units', async () => {
    const data = dataset('regression', 120, 3, (l) => 100 + 10 * l);
    const { bundle, metrics } = await fit(config(10), data);
    // The labels' standard deviation is 10: a model that learned nothing has rmse ≈ 10.
    expect(metrics.test!.rmse).toBeLessThan(5);
    const [p] = await predict(bundle, data.records.slice(0, 1));
    expect(p!.probabilities).toBeNull();
    expect(Math.abs((p!.label as number) - (data.records[0]!.label as number))).toBeLessThan(10);
  });
});
