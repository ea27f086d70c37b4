import { MetaseriesError } from '../errors.js';
import { TILE_GEMM_WASM_BASE64 } from './tile-gemm-wasm.js';
import { heapModuleLoader, type HeapModule } from './wasm-heap-module.js';

/** The exports of `tile-gemm.wat` (pointers are byte offsets in the wasm heap). */
export interface TileGemmSimd {
  /** `c [m, n]` = `a [m, k]` · `b [k, n]`, all row-major float32; `n` a multiple of 4. */
  gemm(a: number, b: number, c: number, m: number, k: number, n: number): void;
}

const load = heapModuleLoader<TileGemmSimd>(TILE_GEMM_WASM_BASE64);
const envValue = () => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.METASERIES_TILE_GEMM?.trim() || undefined;

/**
 * Whether `METASERIES_TILE_GEMM` (Node) leaves the tiled product on: unset or `1` on, `0` off
 * (the recurrent kernels' products then run in tfjs-wasm's BatchMatMul). `initBackend` calls it
 * first, so a mistyped value stops the run at its start.
 *
 * @throws `BACKEND_TILE_GEMM` for any other value.
 */
export function tileGemmFromEnv(env: string | undefined = envValue()): boolean {
  if (env === undefined || env === '1') return true;
  if (env === '0') return false;
  throw new MetaseriesError('BACKEND_TILE_GEMM', 'METASERIES_TILE_GEMM turns the tiled matrix product on (1) or off (0)', {
    field: 'METASERIES_TILE_GEMM',
    value: env,
    expected: '0 | 1',
  });
}

// (a bad value falls back to on here; initBackend reports it)
let enabled = envValue() !== '0';

/** Turns the tiled SIMD product off (tests compare it with tfjs-wasm's BatchMatMul). Default: on, unless `METASERIES_TILE_GEMM=0`. */
export function setTileGemmSimd(on: boolean): void {
  enabled = on;
}

/** The module bound to `backend`'s heap when it is tfjs-wasm and the product is on, else `null`. */
export function tileGemmFor(backend: unknown): HeapModule<TileGemmSimd> | null {
  return enabled ? load(backend) : null;
}
