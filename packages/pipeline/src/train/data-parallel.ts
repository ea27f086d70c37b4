import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError, type Task, type TensorData, type TensorDataMap } from '@metaseries/core';
import { serializeModel } from '../bundle/model-artifacts.js';
import { nextMessage, type WorkerReply, type WorkerRequest } from './data-parallel-messages.js';

/** Smallest shard a thread is given (a batch that cannot give every thread this many runs on the main thread). */
export const MIN_SHARD_ROWS = 2;

/**
 * Rows per thread below which `threads: 'auto'` uses fewer threads: on small batches of small
 * models the messages cost more than the second core saves (measured: batch 16 of a 32-unit LSTM
 * trained 1.5–2× slower on two threads than on one, on a loaded 2-core machine).
 */
export const AUTO_SHARD_ROWS = 16;

/**
 * How long a parked worker (its pool closed) waits for another pool in this process before it is
 * stopped (ms). A parked worker neither keeps the process alive nor uses CPU, but holds its
 * isolate and wasm heap.
 */
export const PARKED_WORKER_TTL_MS = 60_000;

/** The gradients of one batch and its mean loss. */
export interface BatchGradients {
  grads: tf.NamedTensorMap;
  loss: number;
}

/** A batch as the training loop holds it (inputs by model input name, targets, record weights). */
export interface ShardableBatch {
  inputs: TensorDataMap;
  y: TensorData;
  weights?: Float32Array;
}

/** Computes a shard's gradients on the main thread (the training loop's own step). */
export type LocalGradients = (batch: ShardableBatch) => BatchGradients;

function workerScript(): URL | null {
  const built = new URL('./gradient-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  // Running from TypeScript sources (the package's tests): use the package's build.
  const fromSource = new URL('../../dist/train/gradient-worker.js', import.meta.url);
  return existsSync(fileURLToPath(fromSource)) ? fromSource : null;
}

function sliceRows(d: TensorData, start: number, end: number): TensorData {
  const row = d.shape.slice(1).reduce((a, b) => a * b, 1);
  // slice, not subarray: posting a view would copy its whole buffer
  return { dtype: d.dtype, shape: [end - start, ...d.shape.slice(1)], data: d.data.slice(start * row, end * row) as TensorData['data'] };
}

function shardOf(batch: ShardableBatch, start: number, end: number): ShardableBatch {
  const inputs: TensorDataMap = {};
  for (const [k, v] of Object.entries(batch.inputs)) inputs[k] = sliceRows(v, start, end);
  return { inputs, y: sliceRows(batch.y, start, end), ...(batch.weights && { weights: batch.weights.slice(start, end) }) };
}

/**
 * The process's Node options for a worker, less those about the main script's source (a worker
 * inherits `process.execArgv`, and `node --input-type=module -e …` would make the worker fail
 * with ERR_INPUT_TYPE_NOT_ALLOWED, since its script is a file).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--input-type')) {
      if (a === '--input-type') i++;
      continue;
    }
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++;
      continue;
    }
    if (a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    out.push(a);
  }
  return out;
}

/** Row counts of `threads` shards of a batch of `rows` (the main thread's first). */
export function shardSizes(rows: number, threads: number): number[] {
  const base = Math.floor(rows / threads);
  return Array.from({ length: threads }, (_, i) => base + (i < rows % threads ? 1 : 0));
}

/**
 * Data-parallel gradients over worker threads (Node): each step, the batch is cut into one shard
 * per thread; every worker holds a replica of the model, receives the main thread's current
 * weights with its shard and returns its shard's gradients, while the main thread computes its
 * own. The gradients are averaged by shard size — the exact gradient of the batch's mean loss —
 * and the optimizer runs once, on the main thread. tfjs-wasm runs one thread under Node, so this
 * is how training uses the other cores.
 *
 * Batch normalisation sees per-shard statistics in training (as PyTorch's DataParallel does
 * without SyncBatchNorm); its moving averages follow the main thread's shard.
 *
 * Workers outlive their pool: {@link close} parks them, and the next pool started in the process
 * (a refit, the next fold or strategy of a comparison, an ensemble) sends them its model instead
 * of starting new threads. A fresh worker's isolate compiles tfjs' JavaScript for its first ~100
 * steps (measured: 4-10 V8 compiles per 25 steps still after 250, on a background thread that
 * takes a core from the trainers); a parked one is warm. Parked workers are stopped after
 * {@link PARKED_WORKER_TTL_MS} unused.
 */
export class GradientWorkers {
  private closed = false;

  private constructor(
    private readonly channels: WorkerChannel[],
    private readonly trainable: tf.Variable[],
  ) {}

  /** Thread ids of this pool's workers (diagnostics: a reused worker keeps its id). */
  get threadIds(): number[] {
    return this.channels.map((c) => c.threadId);
  }

  /** Threads computing gradients, the main thread included. */
  get threads(): number {
    return this.channels.length + 1;
  }

  /**
   * Starts `threads - 1` workers with a replica of `model` each; `null` when there is nothing to
   * start (`threads` ≤ 1, or no built worker script, as when running from TypeScript sources).
   */
  static async start(model: tfl.LayersModel, options: { threads: number; task: Task; outputIndexes: number[] }): Promise<GradientWorkers | null> {
    const script = options.threads > 1 ? workerScript() : null;
    if (!script) return null;
    const { Worker, MessageChannel } = await import('node:worker_threads');
    const { modelJson, weights } = await serializeModel(model);
    const channels: WorkerChannel[] = [];
    while (channels.length < options.threads - 1 && parked.length > 0) {
      const c = parked.pop()!;
      if (c.unpark()) channels.push(c);
    }
    while (channels.length < options.threads - 1) {
      const { port1, port2 } = new MessageChannel();
      channels.push(new WorkerChannel(new Worker(script, { workerData: { port: port2 }, transferList: [port2], execArgv: workerExecArgv() }), port1));
    }
    const pool = new GradientWorkers(channels, model.trainableWeights.map((w) => w.read() as tf.Variable));
    try {
      const init: WorkerRequest = { type: 'init', backend: tf.getBackend(), modelJson, weights, task: options.task, outputIndexes: options.outputIndexes };
      channels.forEach((c) => c.send(init));
      for (const c of channels) await c.receive();
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /**
   * The batch's gradients (averaged over shards) and mean loss. Batches too small to give every
   * thread {@link MIN_SHARD_ROWS} rows run on the main thread alone.
   */
  async gradients(model: tfl.LayersModel, batch: ShardableBatch, local: LocalGradients): Promise<BatchGradients> {
    if (this.closed) throw new MetaseriesError('PIPELINE_WORKER_FAILED', 'the training workers were stopped', {});
    const rows = batch.y.shape[0]!;
    const sizes = shardSizes(rows, this.threads);
    if (sizes[sizes.length - 1]! < MIN_SHARD_ROWS) return local(batch);
    const weights = model.weights.map((w) => (w.read().dataSync() as Float32Array).slice());
    let start = sizes[0]!;
    this.channels.forEach((c, k) => {
      const end = start + sizes[k + 1]!;
      const shard = shardOf(batch, start, end);
      start = end;
      c.send({ type: 'step', weights, inputs: shard.inputs, y: shard.y, ...(shard.weights && { w: shard.weights }) });
    });
    // the main thread's shard runs while the workers run theirs
    const mine = local(shardOf(batch, 0, sizes[0]!));
    const replies: WorkerReply[] = [];
    try {
      for (const c of this.channels) replies.push(await c.receive());
    } catch (e) {
      tf.dispose(Object.values(mine.grads));
      throw e;
    }
    let loss = mine.loss * sizes[0]!;
    const grads = tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      for (let i = 0; i < this.trainable.length; i++) {
        const v = this.trainable[i]!;
        let g = tf.mul(mine.grads[v.name]!, sizes[0]!);
        replies.forEach((r, k) => {
          const part = (r as Extract<WorkerReply, { type: 'grads' }>).grads[i]!;
          g = tf.add(g, tf.mul(tf.tensor(part, v.shape), sizes[k + 1]!));
        });
        out[v.name] = tf.div(g, rows);
      }
      return out;
    });
    replies.forEach((r, k) => (loss += (r as Extract<WorkerReply, { type: 'grads' }>).loss * sizes[k + 1]!));
    tf.dispose(Object.values(mine.grads));
    return { grads, loss: loss / rows };
  }

  /**
   * Ends the pool: each worker that is idle and sound is parked for the next pool in the process
   * (see the class), any other is stopped.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.channels.map((c) => (c.reusable ? (c.park(), parked.push(c)) : c.close())));
  }
}

/** Workers of closed pools, idle, for the next pool (see {@link GradientWorkers}). */
const parked: WorkerChannel[] = [];

/** One worker and its message port; replies are polled ({@link nextMessage}), not awaited as events. */
class WorkerChannel {
  private failure: MetaseriesError | null = null;
  /** A request was posted and its reply not read (a worker in that state cannot serve another pool). */
  private inFlight = false;
  private parkTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
  ) {
    worker.on('error', (e: Error) => {
      this.failure ??= new MetaseriesError('PIPELINE_WORKER_FAILED', `a training worker failed: ${e.message}`, {}, { cause: e });
    });
    worker.on('exit', (code: number) => {
      this.failure ??= new MetaseriesError('PIPELINE_WORKER_FAILED', `a training worker exited (code ${code}) during a step`, { value: code });
      const i = parked.indexOf(this);
      if (i >= 0) parked.splice(i, 1);
    });
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Whether the worker can be parked for another pool: alive, idle, never failed. */
  get reusable(): boolean {
    return !this.failure && !this.inFlight;
  }

  /** Posts one request (one is in flight at a time: {@link receive} its reply before the next). */
  send(message: WorkerRequest): void {
    if (this.failure) throw this.failure;
    this.port.postMessage(message);
    this.inFlight = true;
  }

  /** Waits for the reply to the request in flight. */
  async receive(): Promise<WorkerReply> {
    if (this.failure) throw this.failure;
    const reply = await nextMessage<WorkerReply>(this.port, () => this.failure);
    this.inFlight = false;
    if (reply.type === 'error') {
      // (kept: the worker is stopped at close, not parked for another pool)
      this.failure = new MetaseriesError('PIPELINE_WORKER_FAILED', `a training worker failed: ${reply.message}`, { value: reply.code ?? undefined });
      throw this.failure;
    }
    return reply;
  }

  /** Frees the worker's replica and lets it wait without keeping the process alive, for {@link PARKED_WORKER_TTL_MS}. */
  park(): void {
    this.port.postMessage({ type: 'release' } satisfies WorkerRequest);
    this.worker.unref();
    this.parkTimer = setTimeout(() => void this.close(), PARKED_WORKER_TTL_MS);
    this.parkTimer.unref();
  }

  /** Takes a parked worker back; false when it has stopped meanwhile. */
  unpark(): boolean {
    if (this.parkTimer) clearTimeout(this.parkTimer);
    this.parkTimer = null;
    if (this.failure) return false;
    this.worker.ref();
    return true;
  }

  async close(): Promise<void> {
    if (this.parkTimer) clearTimeout(this.parkTimer);
    this.failure ??= new MetaseriesError('PIPELINE_WORKER_FAILED', 'the training workers were stopped', {});
    await this.worker.terminate();
    this.port.close();
  }
}
