import { generateScenario, SCENARIOS } from './scenarios.js';
import { alignDatasetContext } from '../align/align-context.js';

function mean(a: Float32Array, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s / (to - from);
}

/** Correlation of a series with 2- and 5-cycle sine templates (phase-free): which frequency it has. */
function isFast(x: Float32Array): boolean {
  const power = (f: number) => {
    let re = 0;
    let im = 0;
    x.forEach((v, t) => {
      re += v * Math.cos((2 * Math.PI * f * t) / x.length);
      im += v * Math.sin((2 * Math.PI * f * t) / x.length);
    });
    return re * re + im * im;
  };
  return power(5) > power(2);
}

const acc = (pred: boolean[], truth: boolean[]) => pred.filter((p, i) => p === truth[i]).length / pred.length;

describe('synthetic scenarios reach their documented Bayes accuracies (rule coded directly, 2000 records)', () => {
  it('machine-type: 0.5 without the machine, ~1.0 with it', () => {
    const { records } = generateScenario('machine-type', { n: 2000, seed: 1 });
    const truth = records.map((r) => r.label === 'fault');
    const withMeta = records.map((r) => (r.metadata.machine === 'A') === isFast(r.values[0]!));
    const withoutMeta = records.map((r) => isFast(r.values[0]!)); // the best a series-only rule can do
    expect(acc(withMeta, truth)).toBeGreaterThan(0.98);
    expect(Math.abs(acc(withoutMeta, truth) - SCENARIOS['machine-type'].bayesAccuracyWithoutMetadata)).toBeLessThan(0.04);
  });

  it('age-threshold: 0.75 without age, ~0.98 with it', () => {
    const { records } = generateScenario('age-threshold', { n: 2000, seed: 2 });
    const truth = records.map((r) => r.label === 'high');
    const withMeta = records.map((r) => mean(r.values[0]!) > ((r.metadata.age as number) - 50) / 15);
    const withoutMeta = records.map((r) => mean(r.values[0]!) > 0);
    expect(acc(withMeta, truth)).toBeGreaterThan(0.96);
    expect(Math.abs(acc(withoutMeta, truth) - 0.75)).toBeLessThan(0.04);
  });

  it('operating-mode: 0.75 without the aligned mode, ~1.0 with it', () => {
    const ds = alignDatasetContext(generateScenario('operating-mode', { n: 2000, seed: 3 }));
    const truth = ds.records.map((r) => r.label === 'abnormal');
    const last = (x: Float32Array) => mean(x, x.length - 5);
    const withMeta = ds.records.map((r) => {
      const T = r.values[0]!.length;
      const lastMode = r.alignedContext!.values.mode![T - 1];
      return last(r.values[0]!) - (lastMode === 'load' ? 2 : 0) > 1;
    });
    const withoutMeta = ds.records.map((r) => {
      const level = last(r.values[0]!);
      return level > 3 ? true : level < 1 ? false : r.id.endsWith('0'); // a 0 → 2 jump is a coin flip without the mode
    });
    expect(acc(withMeta, truth)).toBeGreaterThan(0.98);
    expect(Math.abs(acc(withoutMeta, truth) - 0.75)).toBeLessThan(0.04);
  });

  it('noise-field: the series alone decides it', () => {
    const { records, info } = generateScenario('noise-field', { n: 1000, seed: 4 });
    expect(acc(records.map((r) => isFast(r.values[0]!)), records.map((r) => r.label === 'fast'))).toBeGreaterThan(0.98);
    expect(info.noiseFields).toEqual(['serial', 'batch']);
  });

  it('is seeded', () => {
    expect(generateScenario('age-threshold', { n: 5, seed: 9 })).toEqual(generateScenario('age-threshold', { n: 5, seed: 9 }));
  });
});
