import type { TensorInfo } from '@tensorflow/tfjs-core';
import { LSTM_GATES_WASM_BASE64 } from './lstm-gates-wasm.js';

/** The exports of `lstm-gates.wat` (pointers are byte offsets in the wasm backend's heap). */
export interface LstmGates {
  forwardStep(xw: number, hr: number, bias: number, c: number, h: number, seq: number, cells: number, gates: number, mask: number, B: number, T: number, U: number, t: number): void;
  backwardStep(dy: number, mask: number, cells: number, gates: number, dh: number, dc: number, ds: number, dz: number, B: number, T: number, U: number, t: number): void;
  carryStep(back: number, dh: number, mask: number, B: number, T: number, U: number, t: number): void;
  columnSums(dz: number, out: number, rows: number, G: number): void;
}

/** The SIMD gate kernels bound to one wasm backend's heap, and a tensor's address in it. */
export interface BoundLstmGates {
  gates: LstmGates;
  ptr: (t: TensorInfo) => number;
}

interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
}

let compiled: WebAssembly.Module | null | undefined;
const bound = new WeakMap<object, BoundLstmGates | null>();
let enabled = true;

/** Turns the SIMD gate kernels off (tests compare them with the JS loops). Default: on. */
export function setLstmGatesSimd(on: boolean): void {
  enabled = on;
}

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Uint8Array.from(atob(LSTM_GATES_WASM_BASE64), (ch) => ch.charCodeAt(0));
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null; // no wasm SIMD here: the JS loops run
  }
  return compiled;
}

/**
 * The gate kernels for `backend` when it is tfjs-wasm (its heap is imported, so they work on the
 * tensors in place), else `null` — the cpu backend keeps the JS loops.
 */
export function lstmGatesFor(backend: unknown): BoundLstmGates | null {
  if (!enabled || typeof backend !== 'object' || backend === null) return null;
  if (bound.has(backend)) return bound.get(backend)!;
  const internals = backend as WasmBackendInternals;
  const memory = internals.wasm?.asm?.memory;
  const map = internals.dataIdMap;
  const mod = memory instanceof WebAssembly.Memory && map ? compile() : null;
  let result: BoundLstmGates | null = null;
  if (mod && map) {
    const instance = new WebAssembly.Instance(mod, { env: { memory: memory as WebAssembly.Memory } });
    result = {
      gates: instance.exports as unknown as LstmGates,
      ptr: (t) => {
        const entry = map.get(t.dataId);
        if (!entry) throw new Error('lstm gates: a tensor is not in the wasm heap');
        return entry.memoryOffset;
      },
    };
  }
  bound.set(backend, result);
  return result;
}
