import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initBackend, type DatasetSchema, type SeriesRecord } from '@metaseries/core';
import { MetadataEncoder } from '@metaseries/encoders';
import { batchSeries } from '@metaseries/data';
import { buildModel, lossOutputIndexes } from '@metaseries/fusion';
import { GradientWorkers, shardSizes, type BatchGradients, type ShardableBatch } from './data-parallel.js';
import { outputsLoss } from './task-loss.js';
import { resolveThreads } from './training-loop.js';

const T = 12;
const schema: DatasetSchema = {
  version: 1,
  channels: ['x', 'y'],
  metadata: { kind: { kind: 'categorical' }, age: { kind: 'numeric' } },
  context: {},
  label: { name: 'label', task: 'multiclass', classes: ['a', 'b', 'c'] },
} as DatasetSchema;

function records(n: number): SeriesRecord[] {
  const rng = createRng(3);
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    values: [Float32Array.from({ length: T }, () => rng.normal()), Float32Array.from({ length: T }, () => rng.normal())],
    metadata: { kind: ['u', 'v', 'w'][rng.int(3)]!, age: rng.normal() },
    label: ['a', 'b', 'c'][i % 3]!,
  }));
}

describe('data-parallel gradients over worker threads', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('cuts a batch into near-equal shards, the main thread first', () => {
    expect(shardSizes(64, 2)).toEqual([32, 32]);
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(resolveThreads(1, 64)).toBe(1);
    expect(resolveThreads('auto', 16)).toBe(1); // 16 rows per thread at least
  });

  // (FCN and ResNet normalise batches, so their shards see per-shard statistics: close, not equal)
  it.each([
    ['lstm', 1],
    ['transformer', 1],
    ['lstm', 2],
  ] as const)('gives the gradient of the whole batch (%s encoder, early fusion, class weights, ensemble of %i)', async (encoder, ensemble) => {
    const recs = records(40);
    const enc = MetadataEncoder.fit(schema, recs);
    const encoded = enc.encodedSchema({ channels: 2, timeSteps: T, task: 'multiclass', outputs: 3 });
    const model = buildModel({ encoder, fusion: 'early', dropout: 0, ensemble }, encoded, { seed: 1 });
    const outputIndexes = lossOutputIndexes(model, 'probabilities');
    expect(outputIndexes).toHaveLength(ensemble);
    const { series, mask } = batchSeries(recs, { timeSteps: T });
    const inputs = { series, mask, ...enc.transform(recs, { timeSteps: T }) };
    const y = { dtype: 'float32' as const, shape: [40, 3], data: new Float32Array(120) };
    recs.forEach((_, i) => (y.data[i * 3 + (i % 3)] = 1));
    const batch: ShardableBatch = { inputs, y, weights: Float32Array.from({ length: 40 }, (_, i) => 1 + (i % 4)) };
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const local = (b: ShardableBatch): BatchGradients =>
      tf.tidy(() => {
        const xs = model.inputNames.map((n) => tf.tensor(b.inputs[n]!.data, b.inputs[n]!.shape, b.inputs[n]!.dtype));
        const { value, grads } = tf.variableGrads(() => {
          const out = model.apply(xs, { training: true }) as tf.Tensor[] | tf.Tensor;
          return outputsLoss('multiclass', tf.tensor(b.y.data, b.y.shape), out, outputIndexes, tf.tensor1d(b.weights!));
        }, vars);
        return { grads, loss: value.dataSync()[0]! };
      });
    const whole = local(batch);
    const pool = await GradientWorkers.start(model, { threads: 3, task: 'multiclass', outputIndexes });
    expect(pool).not.toBeNull(); // the built worker script must be there (npm run build)
    try {
      expect(pool!.threads).toBe(3);
      const split = await pool!.gradients(model, batch, local);
      expect(split.loss).toBeCloseTo(whole.loss, 5);
      for (const v of vars) {
        const diff = tf.max(tf.abs(tf.sub(split.grads[v.name]!, whole.grads[v.name]!))).dataSync()[0]!;
        expect(diff).toBeLessThan(1e-5);
      }
      // a batch too small for three shards of 2 rows runs on the main thread alone
      const small = await pool!.gradients(model, { inputs: Object.fromEntries(Object.entries(inputs).map(([k, d]) => [k, { ...d, shape: [4, ...d.shape.slice(1)], data: d.data.slice(0, (d.data.length / 40) * 4) }])), y: { ...y, shape: [4, 3], data: y.data.slice(0, 12) }, weights: batch.weights!.slice(0, 4) }, local);
      expect(Number.isFinite(small.loss)).toBe(true);
      tf.dispose([...Object.values(split.grads), ...Object.values(small.grads)]);
    } finally {
      await pool!.close();
      tf.dispose(Object.values(whole.grads));
    }
  });

  it('hands a closed pool\'s workers to the next pool, which trains a different model with them', async () => {
    const recs = records(24);
    const enc = MetadataEncoder.fit(schema, recs);
    const encoded = enc.encodedSchema({ channels: 2, timeSteps: T, task: 'multiclass', outputs: 3 });
    const { series, mask } = batchSeries(recs, { timeSteps: T });
    const inputs = { series, mask, ...enc.transform(recs, { timeSteps: T }) };
    const y = { dtype: 'float32' as const, shape: [24, 3], data: new Float32Array(72) };
    recs.forEach((_, i) => (y.data[i * 3 + (i % 3)] = 1));
    const batch: ShardableBatch = { inputs, y };
    const first = buildModel({ encoder: 'lstm', fusion: 'early', dropout: 0 }, encoded, { seed: 1 });
    const a = await GradientWorkers.start(first, { threads: 2, task: 'multiclass', outputIndexes: [0] });
    expect(a).not.toBeNull();
    const ids = a!.threadIds;
    await a!.close();
    // another architecture: the parked worker must drop the old replica and run the new one
    const second = buildModel({ encoder: 'gru', fusion: 'film', dropout: 0 }, encoded, { seed: 2 });
    const vars = second.trainableWeights.map((w) => w.read() as tf.Variable);
    const local = (b: ShardableBatch): BatchGradients =>
      tf.tidy(() => {
        const xs = second.inputNames.map((n) => tf.tensor(b.inputs[n]!.data, b.inputs[n]!.shape, b.inputs[n]!.dtype));
        const { value, grads } = tf.variableGrads(() => outputsLoss('multiclass', tf.tensor(b.y.data, b.y.shape), second.apply(xs, { training: true }) as tf.Tensor, [0]), vars);
        return { grads, loss: value.dataSync()[0]! };
      });
    const b = await GradientWorkers.start(second, { threads: 2, task: 'multiclass', outputIndexes: [0] });
    try {
      expect(b!.threadIds).toEqual(ids);
      const whole = local(batch);
      const split = await b!.gradients(second, batch, local);
      expect(split.loss).toBeCloseTo(whole.loss, 5);
      for (const v of vars) expect(tf.max(tf.abs(tf.sub(split.grads[v.name]!, whole.grads[v.name]!))).dataSync()[0]!).toBeLessThan(1e-5);
      tf.dispose([...Object.values(split.grads), ...Object.values(whole.grads)]);
    } finally {
      await b!.close();
    }
    // a closed pool stays closed even though its workers live on for the next one
    await expect(a!.gradients(first, batch, local)).rejects.toMatchObject({ code: 'PIPELINE_WORKER_FAILED', message: expect.stringContaining('stopped') });
  });

  it('lets a process end as soon as its training ends: parked workers do not keep it alive', () => {
    const recs = records(8);
    const enc = MetadataEncoder.fit(schema, recs);
    const encoded = enc.encodedSchema({ channels: 2, timeSteps: T, task: 'multiclass', outputs: 3 });
    const { series, mask } = batchSeries(recs, { timeSteps: T });
    const y = { dtype: 'float32' as const, shape: [8, 3], data: new Float32Array(24) };
    recs.forEach((_, i) => (y.data[i * 3 + (i % 3)] = 1));
    const plain = (d: { dtype: string; shape: number[]; data: ArrayLike<number> }) => ({ dtype: d.dtype, shape: d.shape, data: Array.from(d.data) });
    const inputs = Object.fromEntries(Object.entries({ series, mask, ...enc.transform(recs, { timeSteps: T }) }).map(([k, d]) => [k, plain(d)]));
    // a child process trains on two threads (its pool's worker is parked at the end) and returns
    const script = `
      import { initBackend } from '@metaseries/core';
      import { buildModel } from '@metaseries/fusion';
      import { defaultRunConfig, trainModel } from '@metaseries/pipeline';
      await initBackend({ backend: 'cpu' });
      const model = buildModel({ encoder: 'lstm', fusion: 'early', dropout: 0 }, ${JSON.stringify(encoded)}, { seed: 1 });
      const typed = (d) => ({ ...d, data: d.dtype === 'int32' ? Int32Array.from(d.data) : Float32Array.from(d.data) });
      const inputs = Object.fromEntries(Object.entries(${JSON.stringify(inputs)}).map(([k, d]) => [k, typed(d)]));
      const batch = { inputs, y: typed(${JSON.stringify(plain(y))}) };
      const train = { ...defaultRunConfig.train, epochs: 2, batchSize: 8, earlyStopping: false, threads: 2 };
      await trainModel(model, { task: 'multiclass', train, source: { batchCount: 2, batches: () => [batch, batch] }, outputName: 'probabilities', validate: async () => ({ loss: 0 }) });
      console.log(\`trained \${Date.now()}\`);`; // a string: a number is coloured under FORCE_COLOR (nx)
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    const ended = Date.now();
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const trained = Number(/trained (\d+)/.exec(r.stdout)?.[1]);
    expect(ended - trained).toBeLessThan(5_000); // not PARKED_WORKER_TTL_MS
  });

  it('fails a step with the worker\'s own error, and a closed pool fails at once instead of waiting', async () => {
    const recs = records(8);
    const enc = MetadataEncoder.fit(schema, recs);
    const encoded = enc.encodedSchema({ channels: 2, timeSteps: T, task: 'multiclass', outputs: 3 });
    const model = buildModel({ encoder: 'lstm', fusion: 'early', dropout: 0 }, encoded, { seed: 1 });
    const { series, mask } = batchSeries(recs, { timeSteps: T });
    const y = { dtype: 'float32' as const, shape: [8, 3], data: new Float32Array(24) };
    const pool = await GradientWorkers.start(model, { threads: 2, task: 'multiclass', outputIndexes: [0] });
    expect(pool).not.toBeNull();
    // the metadata inputs are missing: the worker's replica cannot run its shard
    const broken: ShardableBatch = { inputs: { series, mask }, y };
    const local = (): BatchGradients => ({ grads: {}, loss: 0 });
    try {
      await expect(pool!.gradients(model, broken, local)).rejects.toMatchObject({ code: 'PIPELINE_WORKER_FAILED', message: expect.stringMatching(/a training worker failed: .+/) });
    } finally {
      await pool!.close();
    }
    await expect(pool!.gradients(model, broken, local)).rejects.toMatchObject({ code: 'PIPELINE_WORKER_FAILED', message: expect.stringContaining('stopped') });
    // the worker that failed was stopped, not handed on: the next pool starts a new one
    const next = await GradientWorkers.start(model, { threads: 2, task: 'multiclass', outputIndexes: [0] });
    try {
      expect(next!.threadIds).not.toEqual(pool!.threadIds);
    } finally {
      await next!.close();
    }
  });
});
