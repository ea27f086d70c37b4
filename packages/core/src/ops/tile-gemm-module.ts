import { TILE_GEMM_WASM_BASE64 } from './tile-gemm-wasm.js';
import { heapModuleLoader, type HeapModule } from './wasm-heap-module.js';

/** The exports of `tile-gemm.wat` (pointers are byte offsets in the wasm heap). */
export interface TileGemmSimd {
  /** `c [m, n]` = `a [m, k]` · `b [k, n]`, all row-major float32; `n` a multiple of 4. */
  gemm(a: number, b: number, c: number, m: number, k: number, n: number): void;
}

const load = heapModuleLoader<TileGemmSimd>(TILE_GEMM_WASM_BASE64);
/** `METASERIES_TILE_GEMM=0` (Node) keeps the recurrent kernels' products in tfjs-wasm's BatchMatMul. */
let enabled = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.METASERIES_TILE_GEMM !== '0';

/** Turns the tiled SIMD product off (tests compare it with tfjs-wasm's BatchMatMul). Default: on, unless `METASERIES_TILE_GEMM=0`. */
export function setTileGemmSimd(on: boolean): void {
  enabled = on;
}

/** The module bound to `backend`'s heap when it is tfjs-wasm and the product is on, else `null`. */
export function tileGemmFor(backend: unknown): HeapModule<TileGemmSimd> | null {
  return enabled ? load(backend) : null;
}
