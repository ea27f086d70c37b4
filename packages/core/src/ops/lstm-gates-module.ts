import type { TensorInfo } from '@tensorflow/tfjs-core';
import { LSTM_GATES_WASM_BASE64 } from './lstm-gates-wasm.js';
import { heapModuleLoader } from './wasm-heap-module.js';

/** The exports of `lstm-gates.wat` (pointers are byte offsets in the wasm backend's heap). */
export interface LstmGates {
  /** `biasStride`: bytes from one row's bias to the next, 0 for one bias `[4U]`, `16U` for one per record `[B, 4U]`. */
  forwardStep(xw: number, hr: number, bias: number, c: number, h: number, seq: number, cells: number, gates: number, mask: number, B: number, T: number, U: number, t: number, biasStride: number): void;
  backwardStep(dy: number, mask: number, cells: number, gates: number, dh: number, dc: number, ds: number, dz: number, B: number, T: number, U: number, t: number): void;
  carryStep(back: number, dh: number, mask: number, B: number, T: number, U: number, t: number): void;
  columnSums(dz: number, out: number, rows: number, G: number): void;
}

/** The SIMD gate kernels bound to one wasm backend's heap, and a tensor's address in it. */
export interface BoundLstmGates {
  gates: LstmGates;
  ptr: (t: TensorInfo) => number;
}

const load = heapModuleLoader<LstmGates>(LSTM_GATES_WASM_BASE64);
let enabled = true;

/** Turns the SIMD gate kernels off (tests compare them with the JS loops). Default: on. */
export function setLstmGatesSimd(on: boolean): void {
  enabled = on;
}

/**
 * The gate kernels for `backend` when it is tfjs-wasm (its heap is imported, so they work on the
 * tensors in place), else `null` — the cpu backend keeps the JS loops.
 */
export function lstmGatesFor(backend: unknown): BoundLstmGates | null {
  if (!enabled) return null;
  const m = load(backend);
  return m && { gates: m.exports, ptr: m.ptr };
}
