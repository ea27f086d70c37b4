import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, type Dataset, type SeriesRecord } from '@metaseries/core';
import { parseRunConfig, type RunConfigInput } from '../config/run-config.js';
import { fit } from './fit.js';

/** The same waveform means a different class depending on the machine type. */
function machineDataset(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const T = 10;
  const records: SeriesRecord[] = [];
  for (let i = 0; i < n; i++) {
    const machine = rng.next() < 0.5 ? 'A' : 'B';
    const up = rng.next() < 0.5;
    const x = Float32Array.from({ length: T }, (_, t) => (up ? 1 : -1) * (t / T) + 0.2 * rng.normal());
    records.push({ id: `r${i}`, values: [x], metadata: { machine, noise: rng.normal() }, label: up !== (machine === 'B') ? 'alarm' : 'ok' });
  }
  return {
    schema: { version: 1, channels: ['x'], metadata: { machine: { kind: 'categorical' }, noise: { kind: 'numeric' } }, context: {}, label: { name: 'y', task: 'binary' } },
    records,
  };
}

const config = (over: RunConfigInput['train'] = {}, model: RunConfigInput['model'] = {}) =>
  parseRunConfig({
    data: { series: { path: 'unused.csv' } },
    model: { encoder: 'lstm', fusion: 'early', units: 8, headUnits: 8, dropout: 0, ...model },
    split: { valid: 0.2, test: 0.2, seed: 1 },
    train: { epochs: 8, batchSize: 32, learningRate: 0.02, backend: 'cpu', earlyStopping: false, ...over },
  });

describe('fit', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'ms-fit-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives identical metrics for the same seed on cpu', async () => {
    const data = machineDataset(120, 5);
    const a = await fit(config({ epochs: 2 }), data);
    const b = await fit(config({ epochs: 2 }), data);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.history.epochs).toEqual(a.history.epochs);
  });

  it('resumes from the checkpoint after an interruption and reaches the metrics of an uninterrupted run', async () => {
    const data = machineDataset(120, 6);
    const cfg = config({ epochs: 4, checkpointEvery: 1 });
    const full = await fit(cfg, data);
    const dir = path.join(root, 'ckpt');
    const ctrl = new AbortController();
    await expect(
      fit(cfg, data, { checkpointDir: dir, signal: ctrl.signal, onProgress: (e) => e.type === 'batch' && e.epoch === 3 && e.batch === 1 && ctrl.abort() }),
    ).rejects.toMatchObject({ code: 'PIPELINE_ABORTED' });
    const resumed = await fit(cfg, data, { checkpointDir: dir });
    expect(resumed.history.resumedFromEpoch).toBe(2);
    expect(resumed.metrics.valid.accuracy).toBe(full.metrics.valid.accuracy);
    expect(resumed.metrics.valid.loss).toBeCloseTo(full.metrics.valid.loss!, 4);
  });
});
