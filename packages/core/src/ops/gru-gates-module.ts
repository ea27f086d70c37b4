import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GRU_GATES_WASM_BASE64 } from './gru-gates-wasm.js';
import { heapModuleLoader } from './wasm-heap-module.js';

/** The exports of `gru-gates.wat` (pointers are byte offsets in the wasm backend's heap; `hard` 1 or 0). */
export interface GruGates {
  forwardGates(
    xw: number,
    hr: number,
    bias: number,
    h: number,
    rh: number,
    gates: number,
    mask: number,
    B: number,
    T: number,
    U: number,
    t: number,
    hard: number,
  ): void;
  forwardOut(
    xw: number,
    cand: number,
    bias: number,
    h: number,
    seq: number,
    gates: number,
    mask: number,
    B: number,
    T: number,
    U: number,
    t: number,
  ): void;
  backwardA(
    dy: number,
    mask: number,
    gates: number,
    dh: number,
    dahStep: number,
    dA: number,
    dAh: number,
    biasAcc: number,
    B: number,
    T: number,
    U: number,
    t: number,
  ): void;
  backwardB(
    mask: number,
    gates: number,
    seq: number,
    dh: number,
    drh: number,
    carry: number,
    dzr: number,
    dA: number,
    dAzr: number,
    hPrev: number,
    rhPrev: number,
    biasAcc: number,
    B: number,
    T: number,
    U: number,
    t: number,
    hard: number,
  ): void;
  carryStep(
    back: number,
    carry: number,
    dh: number,
    mask: number,
    B: number,
    T: number,
    U: number,
    t: number,
  ): void;
}

/** The SIMD GRU gate kernels bound to one wasm backend's heap, and a tensor's address in it. */
export interface BoundGruGates {
  gates: GruGates;
  ptr: (t: TensorInfo) => number;
}

const load = heapModuleLoader<GruGates>(GRU_GATES_WASM_BASE64);
let enabled = true;

/** Turns the SIMD GRU gate kernels off (tests compare them with the JS loops). Default: on. */
export function setGruGatesSimd(on: boolean): void {
  enabled = on;
}

/**
 * The GRU gate kernels for `backend` when it is tfjs-wasm (its heap is imported, so they work on
 * the tensors in place), else `null` — the cpu backend keeps the JS loops.
 */
export function gruGatesFor(backend: unknown): BoundGruGates | null {
  if (!enabled) return null;
  const m = load(backend);
  return m && { gates: m.exports, ptr: m.ptr };
}
