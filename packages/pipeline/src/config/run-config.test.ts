import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMetaseriesError, type MetaseriesError } from '@metaseries/core';
import { defaultRunConfig, loadRunConfig, parseRunConfig } from './run-config.js';

function problemsOf(fn: () => unknown): Array<{ path: string; message: string; value?: unknown; expected?: string }> {
  try {
    fn();
  } catch (e) {
    expect(isMetaseriesError(e, 'CONFIG_INVALID')).toBe(true);
    return (e as MetaseriesError).details.problems ?? [];
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('parseRunConfig', () => {
  it('fills every default from a config that has only data', () => {
    const c = parseRunConfig({ data: { series: { path: 'x.csv' } } }, { baseDir: '/data' });
    expect(c.data.series).toEqual({ path: path.resolve('/data/x.csv'), id: 'id', time: 'time' });
    expect(c.model).toMatchObject({ encoder: 'lstm', fusion: 'early', units: 64, dropout: 0.1, embedding: {} });
    expect(c.split).toEqual({ strategy: 'stratified', valid: 0.15, test: 0.15, seed: 42 });
    expect(c.train.earlyStopping).toEqual({ monitor: 'val_loss', patience: 8, minDelta: 0, restoreBestWeights: true });
    expect(c.train.lrSchedule.type).toBe('none');
    expect(c.train).toMatchObject({ epochs: 50, batchSize: 32, learningRate: 0.001, clipNorm: null, checkpointEvery: 0 });
    expect(defaultRunConfig.train).toEqual(c.train);
  });

  it('reads the YAML of DESIGN.md, resolving paths against the config file and parsing durations', () => {
    const yaml = `
data:
  series:   { path: vitals.csv, format: long, id: id, time: time, channels: [hr, temp] }
  metadata: { path: static.csv, id: id, fields: { age: numeric, ward: categorical, note: text } }
  context:  { path: modes.csv, id: id, time: time, fields: { mode: categorical },
              align: asof, tolerance: 2h }
  labels:   { path: labels.csv, id: id, label: outcome, task: binary }
model:     { encoder: gru, fusion: attention, embedding: { ward: 4 } }
split:     { strategy: stratified-group, groupBy: patient, valid: 0.15, test: 0.15, seed: 7 }
train:     { epochs: 50, batchSize: 64, learningRate: 0.001,
             earlyStopping: { monitor: val_auroc, patience: 8 } }
`;
    const c = parseRunConfig(yaml, { file: '/proj/configs/run.yaml' });
    expect(c.data.series!.path).toBe(path.resolve('/proj/configs/vitals.csv'));
    expect(c.data.labels!.path).toBe(path.resolve('/proj/configs/labels.csv'));
    expect(c.data.context!.tolerance).toBe(2 * 3600 * 1000);
    expect(c.data.metadata!.fields).toEqual({ age: 'numeric', ward: 'categorical', note: 'text' });
    expect(c.model).toMatchObject({ encoder: 'gru', fusion: 'attention', embedding: { ward: 4 } });
    expect(c.split.strategy).toBe('stratified-group');
    expect(c.train.earlyStopping).toMatchObject({ monitor: 'val_auroc', patience: 8 });
  });

  it('accepts JSON text as well as YAML', () => {
    const c = parseRunConfig('{"data":{"scenario":{"name":"machine-type"}},"train":{"epochs":3}}');
    expect(c.data.scenario).toEqual({ name: 'machine-type', n: 600, seed: 1, length: 50, noise: 0.5, groups: 60 });
    expect(c.data.normalise).toEqual({ method: 'zscore', scope: 'channel' });
    expect(c.train.epochs).toBe(3);
  });

  it('names the key path of a bad value, with the value seen and what was expected', () => {
    const problems = problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { earlyStopping: { patience: 0 } } }));
    expect(problems).toEqual([expect.objectContaining({ path: 'train.earlyStopping.patience', value: 0, expected: '>= 1' })]);
  });

  it('takes the data engine (js by default, duckdb optional) and names a bad one', () => {
    expect(parseRunConfig({ data: { series: { path: 'a' } } }, { baseDir: '/' }).data.engine).toBe('js');
    expect(parseRunConfig({ data: { series: { path: 'a' }, engine: 'duckdb' } }, { baseDir: '/' }).data.engine).toBe('duckdb');
    const problems = problemsOf(() => parseRunConfig({ data: { series: { path: 'a' }, engine: 'spark' } }));
    expect(problems).toEqual([expect.objectContaining({ path: 'data.engine', value: 'spark' })]);
  });

  it('accepts the training loss as monitor and minEpochs up to epochs, naming a bad minEpochs', () => {
    const c = parseRunConfig(
      { data: { series: { path: 'a' } }, train: { epochs: 300, minEpochs: 100, earlyStopping: { monitor: 'loss' }, lrSchedule: { type: 'reduce-on-plateau', monitor: 'loss' } } },
      { baseDir: '/' },
    );
    expect(c.train.minEpochs).toBe(100);
    expect(c.train.earlyStopping).toMatchObject({ monitor: 'loss' });
    expect(c.train.lrSchedule.monitor).toBe('loss');
    expect(defaultRunConfig.train.minEpochs).toBe(0);
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { epochs: 10, minEpochs: 11 } }))).toEqual([
      expect.objectContaining({ path: 'train.minEpochs', value: 11, expected: '<= epochs (10)' }),
    ]);
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { minEpochs: -1 } }))[0]).toMatchObject({ path: 'train.minEpochs', value: -1 });
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { earlyStopping: { monitor: 'train_loss' } } }))[0]!.expected).toContain('"loss"');
  });

  it('takes train.augment with every transform off by default, naming a bad amount by its key path', () => {
    expect(defaultRunConfig.train.augment).toEqual({ jitter: 0, scale: 0, magnitudeWarp: 0, timeWarp: 0, knots: 4, windowSlice: 1, windowWarp: 0, probability: 1 });
    const c = parseRunConfig({ data: { series: { path: 'a' } }, train: { augment: { jitter: 0.05, windowSlice: 0.9 } } }, { baseDir: '/' });
    expect(c.train.augment).toMatchObject({ jitter: 0.05, windowSlice: 0.9, timeWarp: 0 });
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { augment: { windowSlice: 1.5 } } }))[0]).toMatchObject({ path: 'train.augment.windowSlice', value: 1.5 });
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { augment: { jitter: -0.1 } } }))[0]).toMatchObject({ path: 'train.augment.jitter', value: -0.1 });
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { augment: { warp: 0.1 } } }))[0]).toMatchObject({ path: 'train.augment.warp' });
  });

  it('takes model.ensemble (1 by default), an integer from 1 to 32', () => {
    expect(defaultRunConfig.model.ensemble).toBe(1);
    expect(parseRunConfig({ data: { series: { path: 'a' } }, model: { ensemble: 5 } }, { baseDir: '/' }).model.ensemble).toBe(5);
    for (const bad of [0, 1.5, 33]) expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, model: { ensemble: bad } }))[0]).toMatchObject({ path: 'model.ensemble', value: bad });
  });

  it('takes the minirocket encoder and the ridge solver, naming a fusion that needs per-step features', () => {
    expect(defaultRunConfig.train.solver).toBe('gradient');
    expect(defaultRunConfig.train.ridgeAlphas).toHaveLength(10);
    const c = parseRunConfig({ data: { series: { path: 'a' } }, model: { encoder: 'minirocket', fusion: 'none', features: 840 }, train: { solver: 'ridge' } }, { baseDir: '/' });
    expect([c.model.encoder, c.model.features, c.train.solver]).toEqual(['minirocket', 840, 'ridge']);
    // the run config's default fusion (early) is one of them
    for (const fusion of [undefined, 'attention'] as const) {
      expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, model: { encoder: 'minirocket', ...(fusion && { fusion }) } }))[0]).toMatchObject({ path: 'model.fusion', value: fusion ?? 'early' });
    }
    expect(problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, train: { ridgeAlphas: [1, 0] } }))[0]).toMatchObject({ path: 'train.ridgeAlphas[1]', value: 0 });
  });

  it('rejects unknown keys by their path', () => {
    const problems = problemsOf(() => parseRunConfig({ data: { series: { path: 'a', colums: ['x'] } }, model: { encoderr: 'lstm' } }));
    expect(problems.map((p) => p.path).sort()).toEqual(['data.series.colums', 'model.encoderr']);
    expect(problems[0]!.message).toBe('unknown key');
  });

  it('reports every problem at once, naming enum values that are allowed', () => {
    const problems = problemsOf(() =>
      parseRunConfig({ data: { series: { path: 'a', channels: ['x', 3] } }, model: { fusion: 'sideways' }, train: { batchSize: 'big' } }),
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['data.series.channels[1]']).toMatchObject({ value: 3, expected: 'string' });
    expect(byPath['model.fusion']).toMatchObject({ value: 'sideways' });
    expect(byPath['model.fusion']!.expected).toContain('"attention"');
    expect(byPath['train.batchSize']).toMatchObject({ value: 'big', expected: 'number' });
  });

  it('explains a missing data section and a bad duration', () => {
    expect(problemsOf(() => parseRunConfig({})).map((p) => p.path)).toEqual(['data']);
    const p = problemsOf(() => parseRunConfig({ data: { series: { path: 'a' }, context: { path: 'c.csv', tolerance: 'two hours' } } }));
    expect(p[0]).toMatchObject({ path: 'data.context.tolerance', value: 'two hours' });
  });

  it('checks rules that span keys: group strategies need groupBy, splits must leave training data', () => {
    const p = problemsOf(() => parseRunConfig({ data: { series: { path: 'a' } }, split: { strategy: 'group', valid: 0.5, test: 0.5 } }));
    expect(p.map((x) => x.path).sort()).toEqual(['split.groupBy', 'split.test']);
  });

  it('reports text that is neither JSON nor YAML as CONFIG_PARSE with its line', () => {
    try {
      parseRunConfig('data:\n  series: { path: a\n', { file: 'run.yaml' });
      throw new Error('expected a throw');
    } catch (e) {
      expect(isMetaseriesError(e, 'CONFIG_PARSE')).toBe(true);
      expect((e as MetaseriesError).details.file).toBe('run.yaml');
    }
  });

  it('loads a file and names it in errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ms-config-'));
    writeFileSync(path.join(dir, 'run.yml'), 'data:\n  series: { path: s.csv }\ntrain: { epochs: -1 }\n');
    await expect(loadRunConfig(path.join(dir, 'run.yml'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: { file: path.join(dir, 'run.yml'), field: 'train.epochs' },
    });
    writeFileSync(path.join(dir, 'ok.yml'), 'data:\n  series: { path: s.csv }\n');
    expect((await loadRunConfig(path.join(dir, 'ok.yml'))).data.series!.path).toBe(path.join(dir, 's.csv'));
    await expect(loadRunConfig(path.join(dir, 'nope.yml'))).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
  });
});
