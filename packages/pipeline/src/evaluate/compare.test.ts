import { createRng, type Dataset, type SeriesRecord } from '@metaseries/core';
import { parseRunConfig } from '../config/run-config.js';
import { compare } from './compare.js';

const config = (scenario: string, over: Record<string, unknown> = {}) =>
  parseRunConfig({
    data: { scenario: { name: scenario, n: 160, length: 16, seed: 2, noise: 0.3, groups: 20 } },
    model: { encoder: 'lstm', fusion: 'early', units: 8, headUnits: 8, dropout: 0 },
    split: { valid: 0.2, test: 0.25, seed: 3 },
    train: { epochs: 6, batchSize: 32, learningRate: 0.02, backend: 'cpu', earlyStopping: false, ...over },
  });

describe('compare', () => {
  it('compare trains each strategy on the same split, and the ablation shows what each field is worth', async () => {
    const cfg = config('machine-type', { epochs: 8 });
    const events: string[] = [];
    const result = await compare(cfg, { dataset: machineDataset(120, 3), fusions: ['none', 'early'], ablate: true, resamples: 200, onProgress: (e) => e.type === 'done' && events.push(e.message) });
    expect(result.rows.map((r) => r.model)).toEqual(['none', 'early']);
    const [none, early] = result.rows;
    // The machine decides what the trend means: without it a model cannot beat chance by much.
    expect(early!.values.accuracy!).toBeGreaterThan(none!.values.accuracy! + 0.15);
    expect(early!.intervals!.accuracy!.low).toBeLessThanOrEqual(early!.values.accuracy!);
    expect(result.ablation!.map((r) => r.variant)).toEqual(['series only', 'all metadata']);
    const all = result.ablation!.find((r) => r.variant === 'all metadata')!;
    expect(all.versusSeriesOnly!.difference.value).toBeGreaterThan(0.15);
    expect(result.report.comparison).toBe(result.rows);
    expect(events.length).toBe(4);
  });
});

/** The same trend means a different class depending on the machine. */
function machineDataset(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const T = 10;
  const records: SeriesRecord[] = [];
  for (let i = 0; i < n; i++) {
    const machine = rng.next() < 0.5 ? 'A' : 'B';
    const up = rng.next() < 0.5;
    const x = Float32Array.from({ length: T }, (_, t) => (up ? 1 : -1) * (t / T) + 0.2 * rng.normal());
    records.push({ id: `r${i}`, values: [x], metadata: { machine }, label: up !== (machine === 'B') ? 'alarm' : 'ok' });
  }
  return { schema: { version: 1, channels: ['x'], metadata: { machine: { kind: 'categorical' } }, context: {}, label: { name: 'y', task: 'binary' } }, records };
}
