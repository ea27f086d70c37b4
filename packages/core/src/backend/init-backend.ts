import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MetaseriesError } from '../errors.js';
import { installChainedOps } from '../chained-ops.js';
import { registerMissingKernels, type KernelRegistration } from './kernels/register-kernels.js';
import { registerFusedBatchNormGradient } from './kernels/fused-batch-norm-grad.js';
import { registerReductionGradients } from './kernels/reduction-grads.js';
import { registerLstmSequenceKernels } from '../ops/lstm-sequence.js';
import { registerGruSequenceKernels } from '../ops/gru-sequence.js';
import { enableWasmThreads, resolveWasmThreads, type WasmThreads } from './wasm-threads.js';
import { tileGemmFromEnv } from '../ops/tile-gemm-module.js';

/** A backend metaseries can run on. `tensorflow` is `@tensorflow/tfjs-node` (native). */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Backend to use. Default: the `METASERIES_BACKEND` environment variable when set, else the
   * first that loads of `tensorflow` (when `@tensorflow/tfjs-node` is installed), `wasm`, `cpu`.
   */
  backend?: BackendName;
  /**
   * Folder (ending in `/`) holding the wasm binaries. Default: the installed
   * `@tensorflow/tfjs-backend-wasm` package's `dist/` folder.
   */
  wasmPath?: string;
  /**
   * Threads for the `wasm` backend's matrix products and convolutions: a count (1 to 8) or
   * `'auto'` (the machine's available parallelism, at most 8). More than 1 starts tfjs-wasm's
   * threaded SIMD build (XNNPACK with a pthread pool of Node worker threads); small products then
   * pay for the pool's dispatch, so measure before using it. Takes effect when
   * the wasm backend first starts in the process. Default: the `METASERIES_WASM_THREADS`
   * environment variable when set, else 1 (single-threaded, tfjs's default under Node).
   */
  wasmThreads?: WasmThreads;
}

/** Values accepted in `METASERIES_BACKEND` (`node` is an alias of `tensorflow`). */
const ENV_NAMES: Record<string, BackendName> = { tensorflow: 'tensorflow', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

let active: { name: BackendName; kernels: KernelRegistration } | undefined;

const requireHere = createRequire(import.meta.url);

/** Loads tfjs-wasm; returns what undoes the thread set-up once the backend has started. */
async function loadWasm(wasmPath?: string, threads?: WasmThreads): Promise<() => void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmPath ?? `${path.join(path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;
  wasm.setWasmPaths(dir);
  return enableWasmThreads(wasm, resolveWasmThreads(threads));
}

async function activate(name: BackendName, options: InitBackendOptions): Promise<void> {
  let started = (): void => {};
  switch (name) {
    case 'tensorflow': {
      // Optional peer dependency: present only where its native download worked.
      const spec = '@tensorflow/tfjs-node';
      await import(spec);
      break;
    }
    case 'wasm':
      started = await loadWasm(options.wasmPath, options.wasmThreads);
      break;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
  }
  const ok = await tf.setBackend(name).finally(started);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

/**
 * Selects and initialises the tfjs backend, registers the kernels it lacks for training and
 * installs tfjs-core's chained tensor methods. Call once before building or running a model;
 * later calls return the active backend. Returns the backend's name.
 *
 * @throws `BACKEND_UNKNOWN` when `METASERIES_BACKEND` (or `options.backend`) names no backend.
 * @throws `BACKEND_UNAVAILABLE` when the named backend is not installed or fails to start.
 * @throws `BACKEND_WASM_THREADS` when `wasmThreads` (or `METASERIES_WASM_THREADS`) is not `'auto'` or 1 to 8.
 * @throws `BACKEND_TILE_GEMM` when `METASERIES_TILE_GEMM` is set to anything but 0 or 1.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  const env = process.env.METASERIES_BACKEND?.trim();
  let wanted: BackendName | undefined = options.backend;
  if (wanted !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(wanted)) {
    throw new MetaseriesError('BACKEND_UNKNOWN', `unknown backend "${String(wanted)}"`, {
      field: 'backend',
      value: wanted,
      expected: 'tensorflow | wasm | cpu',
    });
  }
  if (wanted === undefined && env) {
    wanted = ENV_NAMES[env.toLowerCase()];
    if (!wanted) {
      throw new MetaseriesError('BACKEND_UNKNOWN', `METASERIES_BACKEND names no backend metaseries knows`, {
        field: 'METASERIES_BACKEND',
        value: env,
        expected: 'tensorflow (or node) | wasm | cpu',
      });
    }
  }
  resolveWasmThreads(options.wasmThreads); // a bad count is the caller's error, not an unavailable backend
  tileGemmFromEnv(); // likewise a mistyped METASERIES_TILE_GEMM
  installChainedOps();
  // again on every call: importing tfjs-layers (which bundles tfjs-core's gradients) after the
  // first call would otherwise put the tiling batch-norm gradient back
  registerFusedBatchNormGradient();
  registerReductionGradients();
  if (active && (wanted === undefined || wanted === active.name) && tf.getBackend() === active.name) return active.name;
  const order: BackendName[] = wanted ? [wanted] : ['tensorflow', 'wasm', 'cpu'];
  const failures: string[] = [];
  let cause: unknown;
  for (const name of order) {
    try {
      await activate(name, options);
      active = { name, kernels: registerMissingKernels(name) };
      registerLstmSequenceKernels(name);
      registerGruSequenceKernels(name);
      return name;
    } catch (e) {
      cause = e;
      failures.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const hint =
    wanted === 'tensorflow'
      ? ' Install it with `npm install @tensorflow/tfjs-node@4.22.0` where its native download works, or choose wasm or cpu.'
      : '';
  throw new MetaseriesError('BACKEND_UNAVAILABLE', `no usable tfjs backend (${failures.join('; ')}).${hint}`, {
    field: env ? 'METASERIES_BACKEND' : 'backend',
    value: wanted ?? order.join(', '),
  }, { cause });
}

/** Name of the backend `initBackend` activated, or `undefined` before the first call. */
export function currentBackend(): BackendName | undefined {
  return active?.name;
}

/** The backend `initBackend` activated, with the kernels it added, or `undefined` before. */
export function backendInfo(): { name: BackendName; kernels: KernelRegistration } | undefined {
  return active;
}
