import { getKernel, type TensorInfo } from '@tensorflow/tfjs-core';
import { makeFloatOutput, type KernelBackendLike } from '../backend/kernels/kernel-backend.js';
import { smallMatMulFor } from './small-mat-mul-module.js';
import { tileGemmFor } from './tile-gemm-module.js';

/*
 * The matrix products of the fused recurrent kernels (`lstm-sequence.ts`, `gru-sequence.ts`), run
 * inside a kernel on tensor infos: the backend's own BatchMatMul, a transpose, and the weight
 * gradients over a whole sequence.
 *
 * A weight gradient is `Inᵀ · dZ` — the layer's inputs `In [B*T, M]` (x, or h_{t-1}) against the
 * pre-activation gradients `dZ [B*T, G]` of every step. tfjs-wasm packs a product's right operand
 * on every call (XNNPACK's weights), so the operand order decides the cost: with dZ on the right,
 * measured here, `64×6400 · 6400×256` took 17 ms and `3×6400 · 6400×256` 8.5 ms; with the long
 * gradient transposed on the left, `256×6400 · 6400×64` took 6.4 ms and `256×6400 · 6400×3` 0.7 ms.
 * So the kernels transpose dZ once (SIMD, ~1 ms: tfjs-wasm's own Transpose took 22 ms) and compute
 * each gradient as `(dZᵀ · In)ᵀ`, transposing only the small `[G, M]` result.
 *
 * On tfjs-wasm a product whose `n` is a multiple of 4 runs in `tile-gemm.wat` instead (B read in
 * place: no operator built, nothing packed), with the same sums in the same order. Best of 7
 * rounds here: `64×64 · 64×256` 76 → 43 µs (27.5 → 38 GFLOP/s), `32×256 · 256×64` 38 → 25 µs,
 * `256×6400 · 6400×64` 5.6 → 4.7 ms.
 */

type Backend = KernelBackendLike;

/**
 * `a [M,K] · b [K,N]` (row-major float32) as a new tensor info `[1,M,N]`: the tiled SIMD product
 * on tfjs-wasm when `n` is a multiple of 4, else the backend's BatchMatMul.
 */
export function heapMatMul(backendName: string, backend: unknown, a: TensorInfo, b: TensorInfo, m: number, k: number, n: number): TensorInfo {
  const tile = n % 4 === 0 ? tileGemmFor(backend) : null;
  if (tile) {
    // every value is written (k = 0 writes zeros), so the output is not zeroed first
    const out = makeFloatOutput(backend as Backend, [1, m, n], () => undefined, { zeroed: false });
    tile.exports.gemm(tile.ptr(a), tile.ptr(b), tile.ptr(out), m, k, n);
    return out;
  }
  const kernel = getKernel('BatchMatMul', backendName)!;
  return kernel.kernelFunc({
    inputs: { a: { dataId: a.dataId, shape: [1, m, k], dtype: 'float32' }, b: { dataId: b.dataId, shape: [1, k, n], dtype: 'float32' } },
    backend: backend as never,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
}

/**
 * A float32 tensor's values: a view of the wasm heap, or cpu's own array. Take it after the last
 * allocation: a growing wasm heap detaches older views.
 */
export function view(b: KernelBackendLike, t: TensorInfo): Float32Array {
  if (b.typedArrayFromHeap) return b.typedArrayFromHeap(t) as Float32Array;
  return b.readSync(t.dataId) as Float32Array;
}

/** `src [rows, cols]` transposed, as a new `[cols, rows]` output (SIMD on tfjs-wasm's heap, JS elsewhere). */
export function transposedInfo(backend: unknown, src: TensorInfo, rows: number, cols: number): TensorInfo {
  return batchTransposedInfo(backend, src, 1, rows, cols, [cols, rows]);
}

/**
 * Each of `batch` consecutive `[rows, cols]` matrices of `src` transposed, as a new output of
 * `outShape` (`batch·cols·rows` values): SIMD on tfjs-wasm's heap, JS elsewhere. tfjs-wasm's own
 * Transpose took 22 ms on `6400×256`, the SIMD loop ~2 ms.
 */
export function batchTransposedInfo(backend: unknown, src: TensorInfo, batch: number, rows: number, cols: number, outShape: number[]): TensorInfo {
  const b = backend as Backend;
  const simd = smallMatMulFor(backend);
  const size = rows * cols;
  if (simd) {
    // every value is written, so the output is not zeroed first
    const out = makeFloatOutput(b, outShape, () => undefined, { zeroed: false });
    const from = simd.ptr(src);
    const to = simd.ptr(out);
    for (let i = 0; i < batch; i++) simd.exports.transpose(from + 4 * i * size, to + 4 * i * size, rows, cols);
    return out;
  }
  return makeFloatOutput(b, outShape, (out) => {
    const s = view(b, src);
    for (let i = 0; i < batch; i++) {
      const o = i * size;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[o + c * rows + r] = s[o + r * cols + c]!;
    }
  });
}

/**
 * The weight gradient `Inᵀ · dZ` as a new `[M, G]` output, from `dZᵀ [G, R]` (see
 * {@link transposedInfo}) and the inputs `In [R, M]`: computed as `(dZᵀ · In)ᵀ`, the fast operand
 * order on tfjs-wasm (see the top of this file). Given `dZ [R, G]` too, an `M` that is not a
 * multiple of 4 (a series' few channels) takes {@link narrowWeightGradient} where it runs.
 */
export function weightGradient(backendName: string, backend: unknown, dzT: TensorInfo, inputs: TensorInfo, g: number, r: number, m: number, dz?: TensorInfo): TensorInfo {
  const narrow = dz && m % 4 !== 0 ? narrowWeightGradient(backend, dz, inputs, r, g, m) : null;
  if (narrow) return narrow;
  const b = backend as Backend;
  const product = heapMatMul(backendName, backend, dzT, inputs, g, r, m);
  const out = transposedInfo(backend, product, g, m);
  b.disposeData(product.dataId);
  return out;
}

/**
 * The input gradient `dZ · Wᵀ` (a new `[R, F]` output) of a layer with weights `W [F, G]`, from
 * `dZ [R, G]` and `dZᵀ [G, R]`: {@link narrowInputGradient} where it runs and `F` is not a multiple
 * of 4, else `dZ · Wᵀ` with `Wᵀ` laid out first (no transpose flags).
 */
export function inputGradient(backendName: string, backend: unknown, dz: TensorInfo, dzT: TensorInfo, kernel: TensorInfo, r: number, g: number, f: number): TensorInfo {
  const narrow = f % 4 !== 0 ? narrowInputGradient(backend, dzT, kernel, r, g, f) : null;
  if (narrow) return narrow;
  const b = backend as Backend;
  const wT = transposedInfo(backend, kernel, f, g);
  const out = heapMatMul(backendName, backend, dz, wT, r, g, f);
  b.disposeData(wT.dataId);
  return out;
}

/** `f` rounded up to a multiple of 4 (the tiled product's column step). */
const padded4 = (f: number) => Math.ceil(f / 4) * 4;

/**
 * The weight gradient `Xᵀ · dZ` (a new `[F, G]` output) of a layer's inputs `X [R, F]` when `F` is
 * not a multiple of 4 (a series' few channels): as `X4ᵀ · dZ` in the tiled product, `X4ᵀ` being
 * `Xᵀ` with zero rows up to a multiple of 4, instead of `(dZᵀ · X)ᵀ` in tfjs-wasm's BatchMatMul,
 * which runs products with 3 columns at ~6 GFLOP/s. The same sums in the same order. `null` where
 * the tiled product does not apply (another backend, `G` not a multiple of 4); {@link
 * weightGradient} then takes the BatchMatMul path.
 */
export function narrowWeightGradient(backend: unknown, dz: TensorInfo, inputs: TensorInfo, r: number, g: number, f: number): TensorInfo | null {
  const tile = g % 4 === 0 ? tileGemmFor(backend) : null;
  if (!tile) return null;
  const b = backend as Backend;
  const f4 = padded4(f);
  const xT = makeFloatOutput(b, [f4, r], (out) => {
    const x = view(b, inputs);
    for (let i = 0; i < r; i++) for (let j = 0; j < f; j++) out[j * r + i] = x[i * f + j]!;
  });
  const product = heapMatMul('wasm', backend, xT, dz, f4, r, g);
  const out = makeFloatOutput(b, [f, g], (o) => o.set(view(b, product).subarray(0, f * g)), { zeroed: false });
  b.disposeData(xT.dataId);
  b.disposeData(product.dataId);
  return out;
}

/**
 * The input gradient `dZ · Wᵀ` (a new `[R, F]` output) of a layer with weights `W [F, G]` when `F`
 * is not a multiple of 4, from `dZᵀ [G, R]` (which the weight gradients already made): as
 * `(W4 · dZᵀ)ᵀ` in the tiled product, `W4` being `W` with zero rows up to a multiple of 4, instead
 * of a BatchMatMul with 3 columns. The same sums in the same order. `null` where the tiled product
 * does not apply (another backend, `R` not a multiple of 4); {@link inputGradient} then takes the
 * BatchMatMul path.
 */
export function narrowInputGradient(backend: unknown, dzT: TensorInfo, kernel: TensorInfo, r: number, g: number, f: number): TensorInfo | null {
  const tile = r % 4 === 0 ? tileGemmFor(backend) : null;
  if (!tile) return null;
  const b = backend as Backend;
  const f4 = padded4(f);
  const w4 = makeFloatOutput(b, [f4, g], (out) => out.set(view(b, kernel).subarray(0, f * g)));
  const product = heapMatMul('wasm', backend, w4, dzT, f4, g, r);
  const out = makeFloatOutput(
    b,
    [r, f],
    (o) => {
      const p = view(b, product);
      for (let j = 0; j < f; j++) for (let i = 0; i < r; i++) o[i * f + j] = p[j * r + i]!;
    },
    { zeroed: false },
  );
  b.disposeData(w4.dataId);
  b.disposeData(product.dataId);
  return out;
}
