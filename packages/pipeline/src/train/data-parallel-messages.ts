import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Task, TensorDataMap, TensorData } from '@metaseries/core';

/** Messages the main thread posts to a gradient worker. */
export type WorkerRequest =
  | {
      type: 'init';
      /** Backend the replica runs on (the main thread's). */
      backend: string;
      /** The model in the tfjs layers format (`serializeModel`). */
      modelJson: Uint8Array;
      weights: Uint8Array;
      task: Task;
      /** Which model outputs the loss reads (averaged: the members of an ensemble). */
      outputIndexes: number[];
    }
  | {
      /** The pool that used this worker closed: free the replica and wait, idle, for the next 'init'. No reply. */
      type: 'release';
    }
  | {
      type: 'step';
      /** Every model weight (`model.weights` order), as the main thread holds them now. */
      weights: Float32Array[];
      /** The worker's shard of the batch. */
      inputs: TensorDataMap;
      y: TensorData;
      w?: Float32Array;
    };

/** Messages a gradient worker posts back. */
export type WorkerReply =
  | { type: 'ready' }
  /** Gradients of the shard's mean loss, in `model.trainableWeights` order, and that loss. */
  | { type: 'grads'; grads: Float32Array[]; loss: number }
  | { type: 'error'; message: string; code: string | null; stack: string | null };

/**
 * How long a thread waiting for the other side's next message polls for it without sleeping (ms).
 * On this project's virtual 2-core machine a thread that sleeps (the event loop's epoll, a
 * futex) took 1.7-3 ms to wake for a message that was already there: one such wake-up at each
 * end of a 25-30 ms step. Waits longer than this (a slow step, validation between epochs) fall
 * back to polling once a millisecond.
 */
export const SPIN_MS = 20;

/** Options of {@link nextMessage}. */
export interface NextMessageOptions {
  /**
   * After this long without a message (ms), stop polling and sleep until one arrives (an event
   * listener): an idle worker then costs no CPU. Only for a side that has nothing else to watch
   * (a worker: its pool may be parked for minutes). Default: poll for ever.
   */
  idleAfterMs?: number;
}

/**
 * The next message on `port`, polled with `receiveMessageOnPort`: without sleeping for
 * {@link SPIN_MS}, then once a millisecond. After each sleep (the event loop has run, so a
 * worker's 'error' or 'exit' has been seen) `failed` is asked, and what it returns is thrown.
 */
export async function nextMessage<T>(port: MessagePort, failed: () => Error | null = () => null, options: NextMessageOptions = {}): Promise<T> {
  const start = performance.now();
  const spinUntil = start + SPIN_MS;
  const idleAt = start + (options.idleAfterMs ?? Infinity);
  for (;;) {
    const got = receiveMessageOnPort(port);
    if (got) return got.message as T;
    const now = performance.now();
    if (now < spinUntil) continue;
    if (now >= idleAt) {
      // (a message that arrived since the poll above is queued and emitted once a listener is on)
      return new Promise<T>((resolve) => port.once('message', (message: T) => resolve(message)));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
    const failure = failed();
    if (failure) throw failure;
  }
}
