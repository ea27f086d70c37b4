import { SMALL_MAT_MUL_WASM_BASE64 } from './small-mat-mul-wasm.js';
import { heapModuleLoader, type HeapModule } from './wasm-heap-module.js';

/** The exports of `small-mat-mul.wat` (pointers are byte offsets in the wasm heap). */
export interface SmallMatMulSimd {
  gemmNN(a: number, b: number, out: number, m: number, k: number, n: number, ai: number, aj: number): void;
  gemmNT(a: number, b: number, out: number, m: number, k: number, n: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
  /** `dst [cols, rows]` = `src [rows, cols]` transposed. */
  transpose(src: number, dst: number, rows: number, cols: number): void;
}

const load = heapModuleLoader<SmallMatMulSimd>(SMALL_MAT_MUL_WASM_BASE64);
let enabled = true;

/** Turns the SIMD loops off (tests compare them with the JS loops). Default: on. */
export function setSmallMatMulSimd(on: boolean): void {
  enabled = on;
}

/** The module bound to `backend`'s heap when it is tfjs-wasm and the loops are on, else `null`. */
export function smallMatMulFor(backend: unknown): HeapModule<SmallMatMulSimd> | null {
  return enabled ? load(backend) : null;
}
