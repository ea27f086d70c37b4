/*
 * Worker-thread side of data-parallel training (see `data-parallel.ts`): holds a replica of the
 * model, and for each step sets the replica's weights to the main thread's, computes the loss
 * gradients of its shard of the batch and posts them back. The optimizer runs on the main thread
 * only, so every replica sees the same weights at every step. When its pool closes the worker is
 * parked ('release'), and a later pool in the process sends it a new 'init'.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, tensorFromData, type BackendName, type Task } from '@metaseries/core';
import '@metaseries/encoders'; // registers the encoder layer classes the model may hold
import '@metaseries/fusion'; // registers the fusion layer classes
import { deserializeModel } from '../bundle/model-artifacts.js';
import { outputsLoss } from './task-loss.js';
import { nextMessage, type WorkerReply, type WorkerRequest } from './data-parallel-messages.js';

let model: tfl.LayersModel | null = null;
let vars: tf.Variable[] = [];
let task: Task = 'multiclass';
let outputIndexes: number[] = [0];


/** The channel to the main thread (`data-parallel.ts` transfers it in `workerData`). */
const port = (workerData as { port: MessagePort }).port;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === 'release') {
    model?.dispose();
    model = null;
    vars = [];
    return;
  }
  if (msg.type === 'init') {
    model?.dispose(); // a parked worker taken by a new pool: the last pool's replica goes
    await initBackend({ backend: msg.backend as BackendName });
    model = await deserializeModel(msg.modelJson, msg.weights);
    vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    task = msg.task;
    outputIndexes = msg.outputIndexes;
    reply({ type: 'ready' });
    return;
  }
  const m = model!;
  const weights = m.weights;
  tf.tidy(() => {
    msg.weights.forEach((w, i) => weights[i]!.write(tf.tensor(w, weights[i]!.shape as number[])));
  });
  const grads: Float32Array[] = [];
  const loss = tf.tidy(() => {
    const inputs = m.inputNames.map((n) => tensorFromData(msg.inputs[n]!));
    const y = tensorFromData(msg.y);
    const w = msg.w ? tf.tensor1d(msg.w) : undefined;
    const { value, grads: g } = tf.variableGrads(() => {
      const out = m.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
      return outputsLoss(task, y, out, outputIndexes, w);
    }, vars);
    for (const v of vars) grads.push(g[v.name]!.dataSync() as Float32Array);
    return value.dataSync()[0]!;
  });
  reply({ type: 'grads', grads, loss }, grads.map((g) => g.buffer as ArrayBuffer));
}

/**
 * Idle time (ms) after which the worker stops polling and sleeps until the next request: a step's
 * gap is a few ms, validation between epochs longer, a parked worker (its pool closed) minutes.
 */
const IDLE_AFTER_MS = 250;

// Requests are polled (nextMessage), not awaited as events: a sleeping thread took 1.7-3 ms to wake here.
async function serve(): Promise<void> {
  for (;;) {
    const msg = await nextMessage<WorkerRequest>(port, undefined, { idleAfterMs: IDLE_AFTER_MS });
    try {
      await handle(msg);
    } catch (e: unknown) {
      const err = e as Error & { code?: string };
      reply({ type: 'error', message: err.message ?? String(e), code: err.code ?? null, stack: err.stack ?? null });
    }
  }
}

void serve();
