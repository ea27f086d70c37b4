import * as tf from '@tensorflow/tfjs-core';
import { resolveObjectURL } from 'node:buffer';
import os from 'node:os';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import { MetaseriesError } from '../errors.js';

/**
 * Threads for tfjs-wasm's matrix products and convolutions (XNNPACK's pthread pool): a count from
 * 1 to {@link MAX_WASM_THREADS}, or `'auto'` for the machine's available parallelism (capped the
 * same way). 1 keeps tfjs's default single-threaded SIMD build.
 */
export type WasmThreads = number | 'auto';

/** Most threads tfjs-wasm's threaded build can use: it pre-creates 8 pthread workers and caps its pool at 8. */
export const MAX_WASM_THREADS = 8;

/**
 * The thread count asked for by `option`, else by the `METASERIES_WASM_THREADS` environment
 * variable (`'auto'` or a count), else 1 (off).
 *
 * @throws `BACKEND_WASM_THREADS` when the option or the variable is not `'auto'` or a whole number
 *   from 1 to {@link MAX_WASM_THREADS}.
 */
export function resolveWasmThreads(option?: WasmThreads, env: string | undefined = process.env.METASERIES_WASM_THREADS): number {
  const fromEnv = option === undefined;
  const raw: unknown = fromEnv ? env?.trim() || undefined : option;
  if (raw === undefined) return 1;
  const auto = Math.min(os.availableParallelism(), MAX_WASM_THREADS);
  const n = raw === 'auto' ? auto : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new MetaseriesError('BACKEND_WASM_THREADS', `wasm thread count must be 'auto' or a whole number from 1 to ${MAX_WASM_THREADS}`, {
      field: fromEnv ? 'METASERIES_WASM_THREADS' : 'wasmThreads',
      value: raw,
      expected: `auto | 1..${MAX_WASM_THREADS}`,
    });
  }
  return n;
}

// Runs in each pthread worker (a worker_threads `eval` worker): runs tfjs's worker script (a Blob,
// in workerData) and, on Emscripten's 'load' message, the module's main script (another Blob).
// That script is a function cut out of tfjs's Rollup bundle, so it names bundle-level variables a
// worker lacks (fs, path, perf_hooks and os as require$$N, commonjsGlobal, __dirname, _scriptDir
// and tslib's __read, __spreadArray, __values): they become globals here. Messages that arrive
// while a Blob is being read wait their turn.
const WORKER_BOOTSTRAP = `
'use strict';
const { workerData } = require('worker_threads');
Object.assign(globalThis, {
  require$$0: require('fs'), require$$1: require('path'), require$$3: require('perf_hooks'), require$$4: require('os'),
  commonjsGlobal: globalThis, __dirname: process.cwd(), _scriptDir: undefined,
  __values: (o) => o[Symbol.iterator](),
  __read: (o, n) => (n === undefined ? Array.from(o) : Array.from(o).slice(0, n)),
  __spreadArray: (to, from) => to.concat(Array.from(from)),
});
workerData.blob.text().then((workerScript) => {
  new Function('require', '__filename', workerScript)(require, 'tfjs-backend-wasm-threaded-simd.worker.js');
  const handle = globalThis.onmessage;
  const loadScript = globalThis.importScripts;
  const sources = new Map();
  globalThis.importScripts = (f) => (sources.has(f) ? (0, eval)(sources.get(f)) : loadScript(f));
  let held = null;
  globalThis.onmessage = (e) => {
    if (held) return void held.push(e);
    if (e.data && e.data.cmd === 'load' && typeof e.data.urlOrBlob !== 'string') {
      held = [];
      e.data.urlOrBlob.text().then((main) => {
        sources.set('metaseries:wasm-main-script', main);
        handle({ data: { ...e.data, urlOrBlob: 'metaseries:wasm-main-script' } });
        const rest = held;
        held = null;
        for (const m of rest) globalThis.onmessage(m);
      });
      return;
    }
    handle(e);
  };
});
`;

/**
 * The `Worker` Emscripten's glue starts its pthreads with. tfjs hands it the worker script as a
 * Blob URL, which Node's worker_threads cannot start (ERR_WORKER_PATH); this starts an eval worker
 * that runs the Blob's script instead.
 */
class PthreadWorker extends NodeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    const href = String(url);
    const blob = href.startsWith('blob:') ? resolveObjectURL(href) : undefined;
    if (blob) super(WORKER_BOOTSTRAP, { ...options, eval: true, workerData: { blob } });
    else super(url, options);
  }
}

/**
 * Makes the next initialisation of tfjs's `wasm` backend start its threaded SIMD build with
 * `threads` threads (nothing happens for 1). Call before `tf.setBackend('wasm')` and call the
 * returned function once that has finished.
 *
 * tfjs 4.22 turns threads off under Node (tfjs issue 3830); three things stand in the way and are
 * handled here: the pthread worker script and the module script are Blob URLs (served through
 * {@link PthreadWorker}; the glue's own `global.Worker = worker_threads.Worker` is ignored), the
 * `WASM_HAS_MULTITHREAD_SUPPORT` flag (set true), and tfjs's C++ capping the pool at
 * `os.cpus().length / 2` (it assumes two hyper-threads per core): `os.cpus` reports at least
 * `2 * threads` entries until the returned function restores it.
 *
 * The threaded build's heap is a shared memory (`wasm.wasmMemory`; there is no `asm.memory`): core's
 * SIMD heap modules (LSTM and GRU gates, small batched products) bind to it through
 * {@link withSharedMemoryImport}.
 */
export function enableWasmThreads(wasm: { setThreadsCount(n: number): void }, threads: number): () => void {
  if (threads <= 1) return () => {};
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * threads) }, (_, i) => real[i % real.length]!);
  };
  return () => {
    os.cpus = cpus;
    // Emscripten refs the worker of every running pthread, and XNNPACK's pool threads never
    // end: unref them so that they do not keep the process alive.
    const backend = tf.findBackend('wasm') as { wasm?: { PThread?: PThreadRegistry } } | undefined;
    const pthread = backend?.wasm?.PThread;
    for (const worker of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) worker.unref();
  };
}

/** The part of Emscripten's `PThread` object used here. */
interface PThreadRegistry {
  runningWorkers: NodeWorker[];
  unusedWorkers: NodeWorker[];
}

/**
 * A copy of a WebAssembly binary whose imported memory is declared `shared` with the largest
 * maximum (65536 pages), so that it can be instantiated on the threaded build's shared heap (an
 * import must match the memory's sharedness and declare a maximum at least the memory's). The
 * binary is returned unchanged when it imports no memory or already imports a shared one.
 */
export function withSharedMemoryImport(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let at = 8; // magic + version
  const leb = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      shift += 7;
    }
  };
  const encode = (n: number): number[] => {
    const out: number[] = [];
    do {
      const b = n % 128;
      n = Math.floor(n / 128);
      out.push(n > 0 ? b | 0x80 : b);
    } while (n > 0);
    return out;
  };
  const skipLimits = (): void => {
    const flags = bytes[at++]!;
    leb();
    if (flags & 1) leb();
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const sizeStart = at;
    const size = leb();
    const bodyStart = at;
    if (id !== 2) {
      at = bodyStart + size;
      continue;
    }
    const count = leb();
    for (let i = 0; i < count; i++) {
      for (let name = 0; name < 2; name++) {
        const length = leb(); // module name, then field name (not `at += leb()`: that reads `at` first)
        at += length;
      }
      const kind = bytes[at++]!;
      if (kind === 0) leb();
      else if (kind === 1) {
        at++;
        skipLimits();
      } else if (kind === 3) at += 2;
      else if (kind === 2) {
        const limitsStart = at;
        const flags = bytes[at++]!;
        if (flags & 2) return bytes;
        const min = leb();
        if (flags & 1) leb();
        const limits = [0x03, ...encode(min), ...encode(65536)];
        const body = [...bytes.subarray(bodyStart, limitsStart), ...limits, ...bytes.subarray(at, bodyStart + size)];
        return Uint8Array.from([...bytes.subarray(0, sizeStart), ...encode(body.length), ...body, ...bytes.subarray(bodyStart + size)]);
      }
    }
    return bytes;
  }
  return bytes;
}
