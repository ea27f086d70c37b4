import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, initBackend } from '@metaseries/core';
import { defaultRunConfig, type TrainConfig } from '../config/run-config.js';
import { readCheckpoint, trainModel, type BatchSource, type TrainingBatch } from './training-loop.js';
import { perRecordLoss } from './task-loss.js';
import { LrSchedule } from './lr-schedule.js';
import type { ProgressEvent } from './progress-event.js';

// A learnable binary problem: the label is whether the mean of the series is above 0.
const N = 96;
const T = 8;
const rng = createRng(5);
const X = Float32Array.from({ length: N * T }, () => rng.normal());
const Y = Float32Array.from({ length: N }, (_, i) => (X.slice(i * T, (i + 1) * T).reduce((a, b) => a + b, 0) > 0 ? 1 : 0));

function source(idx: number[], batchSize: number, seed: number): BatchSource {
  return {
    batchCount: Math.ceil(idx.length / batchSize),
    *batches(epoch: number): Iterable<TrainingBatch> {
      const order = createRng(seed * 1000 + epoch).shuffle(idx.slice());
      for (let s = 0; s < order.length; s += batchSize) {
        const b = order.slice(s, s + batchSize);
        const series = new Float32Array(b.length * T);
        b.forEach((r, i) => series.set(X.subarray(r * T, (r + 1) * T), i * T));
        yield {
          inputs: { series: { dtype: 'float32', shape: [b.length, T, 1], data: series } },
          y: { dtype: 'float32', shape: [b.length, 1], data: Float32Array.from(b.map((r) => Y[r]!)) },
        };
      }
    },
  };
}

const trainIdx = Array.from({ length: 64 }, (_, i) => i);

function model(seed: number): tfl.LayersModel {
  const x = tfl.input({ shape: [T, 1], name: 'series' });
  const f = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const h = tfl.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }).apply(f) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'probabilities', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: out });
}

async function validate(m: tfl.LayersModel): Promise<Record<string, number>> {
  return tf.tidy(() => {
    const x = tf.tensor3d(X.subarray(64 * T), [32, T, 1]);
    const y = tf.tensor2d(Y.subarray(64), [32, 1]);
    const p = m.predict(x) as tf.Tensor;
    const loss = tf.mean(perRecordLoss('binary', y, p)).dataSync()[0]!;
    const acc = tf.mean(tf.cast(tf.equal(tf.greater(p, 0.5), tf.greater(y, 0.5)), 'float32')).dataSync()[0]!;
    return { loss, accuracy: acc };
  });
}

function trainConfig(over: Partial<TrainConfig> = {}): TrainConfig {
  return { ...defaultRunConfig.train, epochs: 12, batchSize: 16, learningRate: 0.02, earlyStopping: false, ...over };
}

describe('trainModel', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'ms-train-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('learns a learnable task, pulling one batch at a time, and reports progress', async () => {
    const events: ProgressEvent[] = [];
    const m = model(1);
    const h = await trainModel(m, { task: 'binary', train: trainConfig(), source: source(trainIdx, 16, 1), outputName: 'probabilities', validate, onProgress: (e) => events.push(e) });
    expect(h.epochs).toHaveLength(12);
    expect(h.epochs[11]!.val_accuracy).toBeGreaterThan(0.8);
    expect(h.epochs[11]!.loss).toBeLessThan(h.epochs[0]!.loss!);
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(12 * 4);
    const epochEvents = events.filter((e) => e.type === 'epoch');
    expect(epochEvents).toHaveLength(12);
    expect(epochEvents[0]).toMatchObject({ epoch: 1, epochs: 12, batches: 4 });
    expect(epochEvents[0]!.metrics).toHaveProperty('val_loss');
    expect(epochEvents[11]!.etaSeconds).toBe(0);
  });

  it('gives identical metrics for the same seed on cpu', async () => {
    const run = async () => (await trainModel(model(3), { task: 'binary', train: trainConfig({ epochs: 4, clipNorm: 1 }), source: source(trainIdx, 16, 3), outputName: 'probabilities', validate })).epochs;
    expect(await run()).toEqual(await run());
  });

  it('stops early on the monitored metric and restores the best weights', async () => {
    const m = model(4);
    const h = await trainModel(m, {
      task: 'binary',
      train: trainConfig({ epochs: 60, learningRate: 0.1, earlyStopping: { monitor: 'val_loss', patience: 2, minDelta: 0, restoreBestWeights: true } }),
      source: source(trainIdx, 16, 4),
      outputName: 'probabilities',
      validate,
    });
    expect(h.stoppedEarly).toBe(true);
    expect(h.epochs.length).toBeLessThan(60);
    const bestLoss = Math.min(...h.epochs.map((e) => e.val_loss!));
    expect(h.epochs[h.bestEpoch - 1]!.val_loss).toBe(bestLoss);
    expect((await validate(m)).loss).toBeCloseTo(bestLoss, 6);
  });

  it('does not stop before minEpochs, and still restores the best epoch seen', async () => {
    const train = trainConfig({ epochs: 20, learningRate: 0.1, earlyStopping: { monitor: 'val_accuracy', patience: 1, minDelta: 0, restoreBestWeights: true } });
    const run = (minEpochs: number) => trainModel(model(6), { task: 'binary', train: { ...train, minEpochs }, source: source(trainIdx, 16, 6), outputName: 'probabilities', validate });
    const free = await run(0);
    expect(free.stoppedEarly).toBe(true);
    expect(free.epochs.length).toBeLessThan(20);
    const m = model(6);
    const held = await trainModel(m, { task: 'binary', train: { ...train, minEpochs: 20 }, source: source(trainIdx, 16, 6), outputName: 'probabilities', validate });
    expect(held.epochs).toHaveLength(20);
    const best = Math.max(...held.epochs.map((e) => e.val_accuracy!));
    expect(held.epochs[held.bestEpoch - 1]!.val_accuracy).toBe(best);
    expect((await validate(m)).accuracy).toBeCloseTo(best, 6);
    // stopping resumes right after minEpochs once patience has run out
    const mid = await run(free.epochs.length + 2);
    expect(mid.epochs).toHaveLength(free.epochs.length + 2);
  });

  it('monitors the training loss: keeps the lowest-loss epoch and reduces the rate when the loss stalls', async () => {
    const h = await trainModel(model(8), {
      task: 'binary',
      train: trainConfig({ epochs: 10, earlyStopping: { monitor: 'loss', patience: 10, minDelta: 0, restoreBestWeights: true } }),
      source: source(trainIdx, 16, 8),
      outputName: 'probabilities',
      // validation that never improves: only the training loss can pick the epoch
      validate: async () => ({ loss: 1, accuracy: 0.5 }),
    });
    const losses = h.epochs.map((e) => e.loss!);
    expect(h.epochs[h.bestEpoch - 1]!.loss).toBe(Math.min(...losses));
    expect(h.bestEpoch).toBeGreaterThan(1);
    // reduce-on-plateau reads the training loss, not the (improving) validation loss
    const schedule = new LrSchedule({ ...defaultRunConfig.train.lrSchedule, type: 'reduce-on-plateau', monitor: 'loss', patience: 2, factor: 0.5 }, 0.02, 10);
    const rates: number[] = [];
    for (let epoch = 1; epoch <= 6; epoch++) {
      rates.push(schedule.rateFor(epoch));
      schedule.observe(epoch, { epoch, loss: epoch <= 2 ? 1 / epoch : 0.5, val_loss: 1 / epoch });
    }
    expect(rates).toEqual([0.02, 0.02, 0.02, 0.02, 0.01, 0.01]);
  });

  it('follows the cosine schedule and reduces the rate on a plateau', async () => {
    const h = await trainModel(model(5), { task: 'binary', train: trainConfig({ epochs: 5, lrSchedule: { ...defaultRunConfig.train.lrSchedule, type: 'cosine', minLearningRate: 0 } }), source: source(trainIdx, 16, 5), outputName: 'probabilities', validate });
    expect(h.epochs.map((e) => e.lr)).toEqual([0.02, 0.02 * 0.5 * (1 + Math.cos(Math.PI / 5)), 0.02 * 0.5 * (1 + Math.cos((2 * Math.PI) / 5)), 0.02 * 0.5 * (1 + Math.cos((3 * Math.PI) / 5)), 0.02 * 0.5 * (1 + Math.cos((4 * Math.PI) / 5))]);
    const plateau = await trainModel(model(5), {
      task: 'binary',
      train: trainConfig({ epochs: 6, lrSchedule: { ...defaultRunConfig.train.lrSchedule, type: 'reduce-on-plateau', monitor: 'val_accuracy', patience: 1, factor: 0.5 } }),
      source: source(trainIdx, 16, 5),
      outputName: 'probabilities',
      validate: async () => ({ loss: 1, accuracy: 0.5 }),
    });
    expect(plateau.epochs.map((e) => e.lr)).toEqual([0.02, 0.02, 0.01, 0.005, 0.0025, 0.00125]);
  });

  it('stops with PIPELINE_ABORTED when the signal aborts, and a resumed run reaches the uninterrupted metrics', async () => {
    const cfg = trainConfig({ epochs: 6, checkpointEvery: 1 });
    const full = await trainModel(model(7), { task: 'binary', train: cfg, source: source(trainIdx, 16, 7), outputName: 'probabilities', validate });
    const dir = path.join(root, 'checkpoint');
    const ctrl = new AbortController();
    // "Killed" in the middle of epoch 4, after the checkpoint of epoch 3.
    const stop = (e: ProgressEvent) => {
      if (e.type === 'batch' && e.epoch === 4 && e.batch === 2) ctrl.abort();
    };
    await expect(
      trainModel(model(7), { task: 'binary', train: cfg, source: source(trainIdx, 16, 7), outputName: 'probabilities', validate, signal: ctrl.signal, onProgress: stop, checkpoint: { dir, every: 1, preprocessing: { note: 'test' } } }),
    ).rejects.toMatchObject({ code: 'PIPELINE_ABORTED' });
    const cp = (await readCheckpoint(dir))!;
    expect(cp.epoch).toBe(3);
    expect(cp.bundle.preprocessing).toEqual({ note: 'test' });
    const resumed = await trainModel(cp.bundle.model, { task: 'binary', train: cfg, source: source(trainIdx, 16, 7), outputName: 'probabilities', validate, resume: cp });
    expect(resumed.resumedFromEpoch).toBe(3);
    expect(resumed.epochs).toHaveLength(6);
    const last = resumed.epochs[5]!;
    const ref = full.epochs[5]!;
    expect(last.val_accuracy).toBe(ref.val_accuracy);
    expect(last.val_loss).toBeCloseTo(ref.val_loss!, 5);
    expect(last.loss).toBeCloseTo(ref.loss!, 5);
  });
});
