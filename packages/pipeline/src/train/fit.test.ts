import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, type Dataset, type SeriesRecord } from '@metaseries/core';
import { parseRunConfig, type RunConfigInput } from '../config/run-config.js';
import { jest } from '@jest/globals';
import * as tf from '@tensorflow/tfjs-core';
import { FittedPreprocessing } from '../preprocess/fitted-preprocessing.js';
import { fit, loadRunData } from './fit.js';
import { loadBundle, saveBundle } from '../bundle/bundle.js';
import type { PreprocessingState } from '../preprocess/fitted-preprocessing.js';
import type * as tfl from '@tensorflow/tfjs-layers';

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

  it('loads a config through data.engine duckdb into the same dataset as the js engine', async () => {
    writeFileSync(path.join(root, 's.csv'), 'id,time,x,y\na,0,1,2\na,1,1.5,2.5\na,2,2,3\nb,0,-1,0\nb,1,-2,1\n');
    writeFileSync(path.join(root, 'm.csv'), 'id,kind\na,u\nb,v\n');
    writeFileSync(path.join(root, 'c.csv'), 'id,time,mode\na,0,on\na,1,on\na,1,off\nb,0,off\n');
    writeFileSync(path.join(root, 'l.csv'), 'id,label\na,ok\nb,bad\n');
    const load = (engine: 'js' | 'duckdb') =>
      loadRunData(
        parseRunConfig(
          { data: { engine, series: { path: 's.csv', format: 'long' }, metadata: { path: 'm.csv', fields: { kind: 'categorical' } }, context: { path: 'c.csv', fields: { mode: 'categorical' } }, labels: { path: 'l.csv' } } },
          { baseDir: root },
        ),
      );
    const js = await load('js');
    const duck = await load('duckdb');
    expect(duck.dataset.schema).toEqual(js.dataset.schema);
    expect(duck.dataset.records).toEqual(js.dataset.records);
    expect(js.dataset.records.map((r) => [r.id, r.label, Array.from(r.values[1]!)])).toEqual([['a', 'ok', [2, 2.5, 3]], ['b', 'bad', [0, 1]]]);
  });

  it('fits a minirocket model by ridge: biases from the training split, no gradient epochs, and a bundle that predicts the same after loading', async () => {
    const rng = createRng(3);
    const T = 32;
    const records: SeriesRecord[] = Array.from({ length: 60 }, (_, i) => {
      const cls = i % 2;
      // class 1 oscillates twice as fast; amplitudes and phases vary
      const a = 0.5 + rng.next();
      const phase = rng.next() * 6;
      return { id: `r${i}`, values: [Float32Array.from({ length: T }, (_, t) => a * Math.sin(phase + (t * (cls ? 0.8 : 0.4))) + 0.3 * rng.normal())], metadata: {}, label: cls ? 'fast' : 'slow' };
    });
    const data: Dataset = { schema: { version: 1, channels: ['x'], metadata: {}, context: {}, label: { name: 'y', task: 'multiclass' } }, records };
    const cfg = config({ solver: 'ridge', epochs: 3 }, { encoder: 'minirocket', fusion: 'none', headUnits: 0, dropout: 0, features: 336, ensemble: 2 });
    const r = await fit(cfg, data);
    expect(r.history.epochs).toHaveLength(0);
    expect(r.ridge!.alphas).toHaveLength(2); // one ridge head per ensemble member
    expect(r.ridge!.records).toBe(r.split.train.length);
    expect(r.metrics.test!['accuracy']).toBeGreaterThan(0.9);
    expect((r.bundle.metrics as { ridge: unknown }).ridge).toEqual({ alphas: r.ridge!.alphas, records: r.split.train.length });
    // the same seed fits the same model
    const again = await fit(cfg, data);
    expect(again.metrics.test).toEqual(r.metrics.test);
    await saveBundle(r.bundle, path.join(root, 'b'));
    const loaded = await loadBundle<PreprocessingState>(path.join(root, 'b'));
    const prep = FittedPreprocessing.fromJSON(loaded.preprocessing);
    const test = r.split.test.map((i) => records[i]!);
    const predict = (m: tfl.LayersModel) => {
      const inputs = prep.inputs(test);
      const out = m.predict(m.inputNames.map((n) => tf.tensor(inputs[n]!.data as Float32Array, inputs[n]!.shape))) as tf.Tensor[];
      return Array.from(out[0]!.dataSync());
    };
    expect(predict(loaded.model)).toEqual(predict(r.bundle.model));
  });

  it('gives identical metrics for the same seed on cpu', async () => {
    const data = machineDataset(120, 5);
    const a = await fit(config({ epochs: 2 }), data);
    const b = await fit(config({ epochs: 2 }), data);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.history.epochs).toEqual(a.history.epochs);
  });

  it('refits on train + validation for the best epoch count, replaying the learning rates, and keeps the first validation metrics', async () => {
    const data = machineDataset(120, 7);
    const train = { epochs: 8, refit: true, earlyStopping: { monitor: 'val_loss', patience: 2 }, lrSchedule: { type: 'reduce-on-plateau', monitor: 'val_loss', patience: 1, factor: 0.5 } } as const;
    const plain = await fit(config({ ...train, refit: false }), data);
    const refit = await fit(config(train), data);
    expect(plain.refitHistory).toBeUndefined();
    expect(refit.history.epochs).toEqual(plain.history.epochs);
    expect(refit.metrics.valid).toEqual(plain.metrics.valid);
    const n = refit.history.bestEpoch;
    expect(refit.refitHistory!.epochs.map((e) => e.lr)).toEqual(refit.history.epochs.slice(0, n).map((e) => e.lr));
    const { train: nTrain, valid: nValid } = refit.split;
    expect(refit.bundle.metrics).toMatchObject({ bestEpoch: n, refit: { epochs: n, records: nTrain.length + nValid.length } });
    // preprocessing (here the normaliser) is fitted on train + validation, and the model differs
    expect(refit.bundle.preprocessing).not.toEqual(plain.bundle.preprocessing);
    expect(refit.metrics.test).not.toEqual(plain.metrics.test);
    expect(refit.metrics.test!.accuracy).toBeGreaterThan(0.5);
  });

  it('augments training batches only: reproducible per seed, learns, and never touches validation or test records', async () => {
    const data = machineDataset(160, 8);
    const augment = { jitter: 0.1, scale: 0.1, timeWarp: 0.2, windowSlice: 0.9 };
    const seen: number[][] = [];
    const prepInputs = FittedPreprocessing.prototype.inputs;
    const spy = jest.spyOn(FittedPreprocessing.prototype, 'inputs').mockImplementation(function (this: FittedPreprocessing, recs, options) {
      if (options?.augment) seen.push(recs.map((r) => Number(r.id.slice(1))));
      return prepInputs.call(this, recs, options);
    });
    try {
      const plain = await fit(config({ epochs: 6 }), data);
      expect(seen).toEqual([]);
      const a = await fit(config({ epochs: 6, augment }), data);
      const b = await fit(config({ epochs: 6, augment }), data);
      const ids = (idx: readonly number[]) => new Set(idx.map((i) => i));
      const trainIds = ids(a.split.train);
      // every augmented batch holds training records only (ids r<i> are the labelled indices here)
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.flat().every((i) => trainIds.has(i))).toBe(true);
      expect(b.history.epochs).toEqual(a.history.epochs);
      expect(a.history.epochs.map((e) => e.loss)).not.toEqual(plain.history.epochs.map((e) => e.loss));
      expect(a.metrics.test!.accuracy).toBeGreaterThan(0.7);
    } finally {
      spy.mockRestore();
    }
  });

  it('trains on every record with split.valid 0 when only the training loss is watched, and names a key that watches validation', async () => {
    const data = machineDataset(120, 9);
    const noValid = (train: RunConfigInput['train']) => parseRunConfig({ ...config(train), split: { valid: 0, test: 0.2, seed: 1 } } as RunConfigInput);
    const r = await fit(noValid({ epochs: 10, earlyStopping: { monitor: 'loss', patience: 10 }, lrSchedule: { type: 'reduce-on-plateau', monitor: 'loss', patience: 5 } }), data);
    expect(r.split.valid).toEqual([]);
    expect(r.split.train.length + r.split.test.length).toBe(120);
    expect(r.metrics.valid).toEqual({});
    expect(r.bundle.preprocessing.temperature).toBe(1);
    expect(r.history.epochs.every((e) => Object.keys(e).every((k) => !k.startsWith('val_')))).toBe(true);
    expect(r.metrics.test!.accuracy).toBeGreaterThan(0.7);
    await expect(fit(noValid({ epochs: 2, earlyStopping: { monitor: 'val_loss' } }), data)).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { field: 'train.earlyStopping.monitor', value: 'val_loss' } });
    await expect(fit(noValid({ epochs: 2, earlyStopping: false, lrSchedule: { type: 'reduce-on-plateau' } }), data)).rejects.toMatchObject({ details: { field: 'train.lrSchedule.monitor' } });
    await expect(fit(noValid({ epochs: 2, earlyStopping: false, refit: true }), data)).rejects.toMatchObject({ details: { field: 'train.refit' } });
    // the ridge solver runs no epochs, so the (default, val_loss) early stopping watches nothing
    const ridge = await fit(noValid({ solver: 'ridge' }), data);
    expect(ridge.history.epochs).toHaveLength(0);
    expect(ridge.ridge!.records).toBe(r.split.train.length);
  });

  it('trains a deep ensemble (model.ensemble) whose bundle predicts the mean of its members', async () => {
    const data = machineDataset(120, 10);
    const r = await fit(config({ epochs: 6 }, { ensemble: 3 }), data);
    const { model } = r.bundle;
    expect(model.outputNames).toEqual(['probabilities', 'probabilities_member_1', 'probabilities_member_2', 'probabilities_member_3']);
    expect(r.metrics.test!.accuracy).toBeGreaterThan(0.7);
    // every member learnt (its own loss), not only their mean
    const prep = FittedPreprocessing.fromJSON(r.bundle.preprocessing);
    const recs = data.records.slice(0, 40);
    const inputs = prep.inputs(recs);
    const outs = tf.tidy(() => (model.predict(model.inputNames.map((n) => tf.tensor(inputs[n]!.data, inputs[n]!.shape, inputs[n]!.dtype))) as tf.Tensor[]).map((t) => t.arraySync() as number[][]));
    const yTrue = recs.map((rec) => prep.label.classIndex(rec.label ?? null, rec.id));
    const accs = outs.map((member) => member.filter((row, i) => (row.length === 1 ? (row[0]! > 0.5 ? 1 : 0) : row.indexOf(Math.max(...row))) === yTrue[i]).length / recs.length);
    for (const acc of accs) expect(acc).toBeGreaterThan(0.7);
    outs[0]!.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo((outs[1]![i]![k]! + outs[2]![i]![k]! + outs[3]![i]![k]!) / 3, 5)));
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
