import type { TensorInfo } from '@tensorflow/tfjs-core';
import { makeFloatOutput, type KernelBackendLike } from './kernel-backend.js';
import { smallMatMulFor } from '../../ops/small-mat-mul-module.js';

export { setSmallMatMulSimd } from '../../ops/small-mat-mul-module.js';

/**
 * Per-matrix work (M·K·N multiply-adds) up to which a batched product (batch > 1) is computed
 * here instead of by tfjs-wasm: wasm runs each matrix of a batch as its own XNNPACK call and
 * packs the right operand every time, which for attention's 1×64 · 64×100 products per record
 * measured 0.2–0.5 GFLOP/s; these loops run at 1–2.
 */
export const SMALL_BATCHED_WORK = 64 * 1024;

/** Dimensions of `a · b` with tfjs' BatchMatMul attributes, or `null` when the batch dims do not match. */
export function batchedDims(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): { batch: number; broadcastA: boolean; broadcastB: boolean; m: number; k: number; n: number; outShape: number[] } | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const sizeA = ba.reduce((x, y) => x * y, 1);
  const sizeB = bb.reduce((x, y) => x * y, 1);
  const same = ba.length === bb.length && ba.every((d, i) => d === bb[i]);
  if (!same && sizeA !== 1 && sizeB !== 1) return null;
  const batchShape = sizeA >= sizeB ? ba : bb;
  return { batch: Math.max(sizeA, sizeB), broadcastA: sizeA === 1, broadcastB: sizeB === 1, m, k, n, outShape: [...batchShape, m, n] };
}

/** `a · b` for each matrix of the batch, with transposes, in plain loops (row-major, float32). */
export function smallBatchedMatMul(
  backend: KernelBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  dims: NonNullable<ReturnType<typeof batchedDims>>,
): TensorInfo {
  const { batch, broadcastA, broadcastB, m, k, n, outShape } = dims;
  const simd = !(transposeA && transposeB) ? smallMatMulFor(backend) : null;
  if (simd) {
    const info = makeFloatOutput(backend, outShape, () => undefined);
    const [pa, pb, po] = [simd.ptr(a), simd.ptr(b), simd.ptr(info)];
    for (let p = 0; p < batch; p++) {
      const aAt = pa + (broadcastA ? 0 : p * m * k * 4);
      const bAt = pb + (broadcastB ? 0 : p * k * n * 4);
      const oAt = po + p * m * n * 4;
      if (transposeB) simd.exports.gemmNT(aAt, bAt, oAt, m, k, n);
      else simd.exports.gemmNN(aAt, bAt, oAt, m, k, n, transposeA ? 1 : k, transposeA ? m : 1);
    }
    return info;
  }
  return makeFloatOutput(backend, outShape, (out) => {
    // views after the output exists: allocating can grow the heap and detach older views
    const av = (backend.typedArrayFromHeap ? backend.typedArrayFromHeap(a) : backend.readSync(a.dataId)) as Float32Array;
    const bv = (backend.typedArrayFromHeap ? backend.typedArrayFromHeap(b) : backend.readSync(b.dataId)) as Float32Array;
    // element (i, q) of A is av[aOff + i*ai + q*aj]
    const ai = transposeA ? 1 : k;
    const aj = transposeA ? m : 1;
    for (let p = 0; p < batch; p++) {
      const aOff = broadcastA ? 0 : p * m * k;
      const bOff = broadcastB ? 0 : p * k * n;
      const oOff = p * m * n;
      if (transposeB) {
        // B's rows are contiguous over k: one dot product per output element
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const bRow = bOff + j * k;
            let acc = 0;
            for (let q = 0; q < k; q++) acc += av[aOff + i * ai + q * aj]! * bv[bRow + q]!;
            out[oOff + i * n + j] = acc;
          }
        }
      } else {
        // B's rows are contiguous over n: add a multiple of each row to the output row
        for (let i = 0; i < m; i++) {
          const row = oOff + i * n;
          for (let q = 0; q < k; q++) {
            const x = av[aOff + i * ai + q * aj]!;
            const bRow = bOff + q * n;
            for (let j = 0; j < n; j++) out[row + j] += x * bv[bRow + j]!;
          }
        }
      }
    }
  });
}
