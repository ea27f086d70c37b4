import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { lossOutputIndexes } from '@metaseries/fusion';
import { MetaseriesError, tensorFromData, type Task, type TensorData, type TensorDataMap } from '@metaseries/core';
import type { TrainConfig } from '../config/run-config.js';
import { saveBundle, loadBundle, type ModelBundle } from '../bundle/bundle.js';
import { LrSchedule, type LrScheduleState } from './lr-schedule.js';
import { PlateauTracker, type PlateauState } from './monitor.js';
import type { ProgressListener } from './progress-event.js';
import { clipByGlobalNorm, outputsLoss } from './task-loss.js';
import { GradientWorkers, AUTO_SHARD_ROWS, type BatchGradients, type ShardableBatch } from './data-parallel.js';
import { decodeTensors, encodeTensors, type TensorSpec } from './tensor-file.js';

/** One training batch as plain typed data: model inputs by name, targets, optional per-record weights. */
export interface TrainingBatch {
  inputs: TensorDataMap;
  /** Targets `[B, outputs]` as the loss wants them (0/1, one-hot, multi-hot or scaled values). */
  y: TensorData;
  /** Weight of each record (class weights). Default: all 1. */
  weights?: Float32Array;
}

/**
 * Where training batches come from. The loop pulls one batch at a time, so a dataset is never
 * turned into one tensor; a source may read from disk as it goes.
 */
export interface BatchSource {
  /** Batches per epoch. */
  readonly batchCount: number;
  /** The batches of the 1-based `epoch`, in that epoch's (seeded) order. */
  batches(epoch: number): Iterable<TrainingBatch> | AsyncIterable<TrainingBatch>;
}

/** One row of the training history: `epoch`, `loss`, `lr` and the `val_*` metrics. */
export type EpochMetrics = Record<string, number>;

/** What the loop did. */
export interface TrainingHistory {
  /** Metrics of every epoch trained, first to last (including epochs from before a resume). */
  epochs: EpochMetrics[];
  /** 1-based epoch whose weights the model holds at the end (best epoch when restoring best weights). */
  bestEpoch: number;
  /** True when early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
  /** Epoch a resumed run continued after (0 for a fresh run). */
  resumedFromEpoch: number;
}

/** Checkpoint settings of {@link trainModel}. */
export interface CheckpointOptions {
  /** Folder of the (single, latest) checkpoint; replaced atomically each time. */
  dir: string;
  /** Write one every this many epochs (and never when 0). */
  every: number;
  /** Preprocessing JSON stored with it, so a checkpoint is also a usable bundle. */
  preprocessing: object;
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /** The task, which picks the loss. */
  task: Task;
  /** Epochs, batch size, learning rate, optimizer, early stopping, schedule, clipNorm, seed. */
  train: TrainConfig;
  /** Training batches. */
  source: BatchSource;
  /** Name of the model output the loss reads (`probabilities`, or `prediction` for regression). */
  outputName: string;
  /** Validation metrics of the model as it is now, by snake_case name without the `val_` prefix (must include `loss`). */
  validate: (model: tfl.LayersModel) => Promise<Record<string, number>>;
  /** Cancels training between batches with `PIPELINE_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Receives `batch` and `epoch` progress events. Default: none. */
  onProgress?: ProgressListener;
  /** Write checkpoints. Default: none. */
  checkpoint?: CheckpointOptions;
  /** A checkpoint read by {@link readCheckpoint} to continue from. Default: start fresh. */
  resume?: TrainingCheckpoint;
  /**
   * Learning rate of each epoch (`learningRates[epoch - 1]`), replacing `train.lrSchedule`: a
   * refit replays the rates of the run it repeats. Default: none (the schedule decides).
   */
  learningRates?: readonly number[];
}

/** File names of the training state inside a checkpoint bundle. */
const STATE_FILE = 'training-state.json';
const OPTIMIZER_FILE = 'optimizer.bin';
const BEST_FILE = 'best-weights.bin';

interface TrainingState {
  epoch: number;
  history: EpochMetrics[];
  schedule: LrScheduleState;
  early: PlateauState | null;
  optimizer: TensorSpec[];
  best: TensorSpec[] | null;
  stoppedEarly: boolean;
}

/** A checkpoint as read back: the model, its preprocessing and everything needed to continue training. */
export interface TrainingCheckpoint {
  bundle: ModelBundle<object>;
  /** Last completed 1-based epoch. */
  epoch: number;
  state: TrainingState;
}

/** Reads the checkpoint folder `dir` (a bundle with training state), or `undefined` when there is none. */
export async function readCheckpoint(dir: string): Promise<TrainingCheckpoint | undefined> {
  let bundle: ModelBundle<object>;
  try {
    bundle = await loadBundle(dir);
  } catch (e) {
    if (e instanceof Error && (e as MetaseriesError).code === 'BUNDLE_NOT_FOUND') return undefined;
    throw e;
  }
  const state = bundle.extras?.[STATE_FILE] as TrainingState | undefined;
  if (!state) throw new MetaseriesError('PIPELINE_NOT_A_CHECKPOINT', `${dir} is a bundle without training state, not a checkpoint`, { file: dir });
  return { bundle, epoch: state.epoch, state };
}

function createOptimizer(train: TrainConfig): tf.Optimizer {
  switch (train.optimizer) {
    case 'sgd':
      return tf.train.sgd(train.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(train.learningRate);
    default:
      return tf.train.adam(train.learningRate);
  }
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}


/**
 * Threads for data-parallel gradients: `'auto'` uses up to 4 of the machine's cores (Node only),
 * fewer when the batch cannot give each thread {@link AUTO_SHARD_ROWS} rows.
 */
export function resolveThreads(threads: number | 'auto', batchSize: number): number {
  if (threads !== 'auto') return threads;
  const cores = typeof process !== 'undefined' && process.versions?.node ? availableParallelism() : 1;
  return Math.max(1, Math.min(4, cores, Math.floor(batchSize / AUTO_SHARD_ROWS)));
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MetaseriesError('PIPELINE_ABORTED', 'training was cancelled', { value: String(signal.reason ?? 'aborted') });
}

/**
 * Trains `model` with its own loop: one batch at a time from `source`, the task's loss with
 * per-record weights, optional clipping of the global gradient norm, a learning-rate schedule,
 * validation after every epoch, early stopping on a chosen validation metric (restoring the best
 * weights), checkpoints every N epochs (model + optimizer + schedule + early-stopping state,
 * written atomically) and resumption from one, cancellation through an `AbortSignal`
 * (`PIPELINE_ABORTED`) and progress events. With the same seed on the cpu backend, two runs —
 * or a run and a run resumed from its checkpoint — give identical weights.
 */
export async function trainModel(model: tfl.LayersModel, options: TrainModelOptions): Promise<TrainingHistory> {
  const { train, source, task, signal, onProgress } = options;
  // the prediction output, or each member's for an ensemble (their losses are averaged)
  const outputIndexes = lossOutputIndexes(model, options.outputName);
  if (outputIndexes.length === 0) {
    throw new MetaseriesError('PIPELINE_NO_OUTPUT', `model has no output ${options.outputName}`, { field: 'outputName', value: options.outputName, expected: model.outputNames.join(' | ') });
  }
  const optimizer = createOptimizer(train);
  const schedule = new LrSchedule(train.lrSchedule, train.learningRate, train.epochs);
  const es = train.earlyStopping;
  const early = es ? new PlateauTracker(es.monitor, es.minDelta) : null;
  let best: tf.Tensor[] | null = null;
  let history: EpochMetrics[] = [];
  let startEpoch = 1;
  let stoppedEarly = false;

  if (options.resume) {
    const { state, bundle } = options.resume;
    schedule.restore(state.schedule);
    if (early && state.early) early.state = state.early;
    history = state.history.slice();
    startEpoch = state.epoch + 1;
    stoppedEarly = state.stoppedEarly;
    const extras = bundle.extras ?? {};
    if (state.optimizer.length > 0) {
      const weights = decodeTensors(state.optimizer, extras[OPTIMIZER_FILE] as Uint8Array, OPTIMIZER_FILE);
      await optimizer.setWeights(weights);
    }
    if (state.best) best = decodeTensors(state.best, extras[BEST_FILE] as Uint8Array, BEST_FILE).map((w) => w.tensor);
  }

  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const localGradients = (b: ShardableBatch): BatchGradients =>
    tf.tidy(() => {
      const inputs = model.inputNames.map((n) => {
        const d = b.inputs[n];
        if (!d) throw new MetaseriesError('PIPELINE_MISSING_INPUT', `batch lacks model input ${n}`, { field: n, expected: Object.keys(b.inputs).join(', ') });
        return tensorFromData(d);
      });
      const y = tensorFromData(b.y);
      const w = b.weights ? tf.tensor1d(b.weights) : undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
        return outputsLoss(task, y, out, outputIndexes, w);
      }, vars);
      return { grads, loss: value.dataSync()[0]! };
    });
  const pool = await GradientWorkers.start(model, { threads: resolveThreads(train.threads, train.batchSize), task, outputIndexes });
  const totalBatches = train.epochs * source.batchCount;
  const t0 = Date.now();
  let batchesRun = 0;
  const eta = (epoch: number, batch: number) => {
    if (batchesRun === 0) return null;
    const left = totalBatches - ((epoch - 1) * source.batchCount + batch);
    return ((Date.now() - t0) / 1000 / batchesRun) * Math.max(0, left);
  };

  try {
  for (let epoch = startEpoch; epoch <= train.epochs && !stoppedEarly; epoch++) {
      aborted(signal);
      const lr = options.learningRates?.[epoch - 1] ?? schedule.rateFor(epoch);
      setLearningRate(optimizer, lr);
      let lossSum = 0;
      let lossCount = 0;
      let batch = 0;
      for await (const b of source.batches(epoch)) {
        aborted(signal);
        batch++;
        const { grads, loss: lossValue } = pool ? await pool.gradients(model, b, localGradients) : localGradients(b);
        tf.tidy(() => {
          const g = train.clipNorm !== null ? clipByGlobalNorm(grads, train.clipNorm) : grads;
          optimizer.applyGradients(g);
        });
        tf.dispose(Object.values(grads));
        if (!Number.isFinite(lossValue)) {
          throw new MetaseriesError('PIPELINE_LOSS_NOT_FINITE', `training loss became ${lossValue} at epoch ${epoch}, batch ${batch}: lower the learning rate or set train.clipNorm`, {
            field: 'train.learningRate',
            value: train.learningRate,
          });
        }
        lossSum += lossValue;
        lossCount++;
        batchesRun++;
        onProgress?.({ type: 'batch', epoch, epochs: train.epochs, batch, batches: source.batchCount, metrics: { loss: lossValue }, etaSeconds: eta(epoch, batch), message: `epoch ${epoch} batch ${batch}` });
        // Let timers and I/O run (an abort, a progress display) between batches.
        await new Promise((r) => setImmediate(r));
      }
      const val = await options.validate(model);
      const metrics: EpochMetrics = { epoch, loss: lossCount ? lossSum / lossCount : NaN, lr };
      for (const [k, v] of Object.entries(val)) metrics[`val_${k}`] = v;
      for (const [key, monitor] of [
        ['train.earlyStopping.monitor', es ? es.monitor : undefined],
        ['train.lrSchedule.monitor', train.lrSchedule.type === 'reduce-on-plateau' ? train.lrSchedule.monitor : undefined],
      ] as const) {
        if (monitor !== undefined && !(monitor in metrics)) {
          throw new MetaseriesError('CONFIG_INVALID', `${monitor} is not computed for this task`, { field: key, value: monitor, expected: ['loss', ...Object.keys(metrics).filter((k) => k.startsWith('val_'))].join(', ') });
        }
      }
      history.push(metrics);
      schedule.observe(epoch, metrics);
      if (early && es) {
        if (early.update(epoch, metrics) && es.restoreBestWeights) {
          best?.forEach((t) => t.dispose());
          best = model.getWeights().map((t) => tf.clone(t));
        }
        if (early.state.wait >= es.patience && epoch >= train.minEpochs) stoppedEarly = true;
      }
      onProgress?.({ type: 'epoch', epoch, epochs: train.epochs, batch: source.batchCount, batches: source.batchCount, metrics, etaSeconds: stoppedEarly ? 0 : eta(epoch, source.batchCount), message: `epoch ${epoch}/${train.epochs}` });
      const cp = options.checkpoint;
      if (cp && cp.every > 0 && (epoch % cp.every === 0 || stoppedEarly || epoch === train.epochs)) {
        await writeCheckpoint(model, optimizer, cp, { epoch, history, schedule: schedule.toJSON(), early: early?.state ?? null, optimizer: [], best: null, stoppedEarly }, best);
      }
  }
  } finally {
    await pool?.close();
  }
  let bestEpoch = history.length ? history[history.length - 1]!.epoch! : 0;
  if (early && es && es.restoreBestWeights && best && early.state.best !== null) {
    model.setWeights(best);
    bestEpoch = early.state.bestEpoch;
  }
  best?.forEach((t) => t.dispose());
  optimizer.dispose();
  return { epochs: history, bestEpoch, stoppedEarly, resumedFromEpoch: startEpoch - 1 };
}

async function writeCheckpoint(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  cp: CheckpointOptions,
  state: TrainingState,
  best: tf.Tensor[] | null,
): Promise<void> {
  const optWeights = await optimizer.getWeights();
  const opt = encodeTensors(optWeights);
  const bestEnc = best ? encodeTensors(best.map((t, i) => ({ name: `w${i}`, tensor: t }))) : null;
  const extras: Record<string, unknown> = {
    [STATE_FILE]: { ...state, optimizer: opt.specs, best: bestEnc?.specs ?? null },
    [OPTIMIZER_FILE]: opt.bytes,
  };
  if (bestEnc) extras[BEST_FILE] = bestEnc.bytes;
  await saveBundle({ model, preprocessing: cp.preprocessing, metrics: { history: state.history }, extras }, cp.dir);
}
