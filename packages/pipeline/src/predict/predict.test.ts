import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, type Dataset, type SeriesRecord } from '@metaseries/core';
import { parseRunConfig, type RunConfigInput } from '../config/run-config.js';
import { loadBundle, saveBundle } from '../bundle/bundle.js';
import { predict } from './predict.js';
import { predictFile } from './predict-file.js';
import { fit } from '../train/fit.js';

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

describe('predict', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'ms-fit-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('learns what only the metadata can explain, and fit → save → load → predict gives identical outputs', async () => {
    const data = machineDataset(200, 3);
    const { bundle, metrics, history } = await fit(config(), data);
    expect(history.epochs).toHaveLength(8);
    expect(metrics.valid.accuracy).toBeGreaterThan(0.8);
    expect(metrics.test!.accuracy).toBeGreaterThan(0.8);
    const records = data.records.slice(0, 20);
    const before = await predict(bundle, records);
    const dir = path.join(root, 'model');
    await saveBundle(bundle, dir);
    const loaded = await loadBundle(dir);
    const after = await predict(loaded, records, { batchSize: 7 });
    expect(after).toEqual(before);
    expect(Object.keys(before[0]!.probabilities!)).toEqual(['alarm', 'ok']);
    expect(['alarm', 'ok']).toContain(before[0]!.label);
  });

  it('puts an unseen category in the unknown bucket and names the record and field of a missing one', async () => {
    const data = machineDataset(120, 4);
    const { bundle } = await fit(config({ epochs: 1 }), data);
    const r = data.records[0]!;
    const [p] = await predict(bundle, [{ ...r, metadata: { ...r.metadata, machine: 'never-seen' } }]);
    expect(p!.probabilities!.ok! + p!.probabilities!.alarm!).toBeCloseTo(1, 5);
    await expect(predict(bundle, [{ ...r, id: 'x7', metadata: { noise: 0 } }])).rejects.toMatchObject({ code: 'PREDICT_MISSING_FIELD', details: { recordId: 'x7', field: 'machine' } });
  });


  it('predicts a JSONL file batch by batch into JSONL or CSV, the same as predict', async () => {
    const data = machineDataset(60, 8);
    const { bundle } = await fit(config({ epochs: 1 }), data);
    const input = path.join(root, 'in.jsonl');
    writeFileSync(input, data.records.map((r) => JSON.stringify({ id: r.id, values: { x: Array.from(r.values[0]!) }, metadata: r.metadata })).join('\n') + '\n');
    const expected = await predict(bundle, data.records);
    const jsonl = await predictFile(bundle, input, { output: path.join(root, 'out.jsonl'), batchSize: 7 });
    expect(jsonl).toMatchObject({ records: 60, format: 'jsonl' });
    const lines = readFileSync(path.join(root, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.label)).toEqual(expected.map((p) => p.label));
    lines.forEach((l, i) => expect(l.probabilities.alarm).toBeCloseTo(expected[i]!.probabilities!.alarm!, 6));
    await predictFile(bundle, input, { output: path.join(root, 'out.csv'), batchSize: 16 });
    const csv = readFileSync(path.join(root, 'out.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,label,p_alarm,p_ok');
    expect(csv).toHaveLength(61);
    expect(csv[1]!.split(',')[1]).toBe(expected[0]!.label);
    writeFileSync(input, JSON.stringify({ id: 'a' , values: { x: [1, 2] }, metadata: { machine: 'A', noise: 0 } }) + '\n' + JSON.stringify({ id: 'b', values: { y: [1] }, metadata: {} }) + '\n');
    await expect(predictFile(bundle, input, { output: path.join(root, 'bad.jsonl') })).rejects.toMatchObject({ code: 'PREDICT_MISSING_FIELD', details: { line: 2, recordId: 'b', field: 'values.x' } });
  });
});
