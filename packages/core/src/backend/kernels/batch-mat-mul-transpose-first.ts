import { BatchMatMul, getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelBackendLike } from './kernel-backend.js';
import { batchedDims, smallBatchedMatMul, SMALL_BATCHED_WORK } from './small-batched-mat-mul.js';
import { batchTransposedInfo } from '../../ops/heap-products.js';
import { smallMatMulFor } from '../../ops/small-mat-mul-module.js';

const sizeOf = (t: TensorInfo): number => t.shape.reduce((x, y) => x * y, 1);

/**
 * Replaces wasm's BatchMatMul with one that transposes its operands first when a transpose flag
 * is set: wasm's kernel with `transposeA`/`transposeB` runs at ~2 GFLOP/s instead of ~28
 * (measured), and every Dense and recurrent layer's gradient uses the flags. Batches of small
 * matrices (attention's per-record products) are computed in plain loops instead
 * (`smallBatchedMatMul`). On tfjs-wasm with SIMD, float32 operands are transposed by our own 4×4
 * SIMD loop: tfjs-wasm's Transpose ran M2's `6400×64` gradient operand at a fraction of the
 * product's own speed (5.7 % of a training step, profiled).
 */
export function batchMatMulTransposeFirstConfig(backendName: string): KernelConfig | undefined {
  const original = getKernel(BatchMatMul, backendName);
  const transpose = getKernel('Transpose', backendName);
  if (!original || !transpose) return undefined;
  if ((original.kernelFunc as KernelFunc & { transposeFirst?: boolean }).transposeFirst) return undefined;
  const originalFunc = original.kernelFunc;
  const transposeFunc = transpose.kernelFunc;
  const swapLast = (t: TensorInfo, backend: unknown): TensorInfo => {
    const r = t.shape.length;
    if (t.dtype === 'float32' && sizeOf(t) > 0 && smallMatMulFor(backend)) {
      const rows = t.shape[r - 2]!;
      const cols = t.shape[r - 1]!;
      const batch = t.shape.slice(0, r - 2).reduce((x, y) => x * y, 1);
      return batchTransposedInfo(backend, t, batch, rows, cols, [...t.shape.slice(0, r - 2), cols, rows]);
    }
    const perm = [...Array(r).keys()];
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return transposeFunc({ inputs: { x: t }, backend: backend as never, attrs: { perm } }) as TensorInfo;
  };
  const kernelFunc: KernelFunc & { transposeFirst?: boolean } = (args) => {
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const dims = a.dtype === 'float32' && b.dtype === 'float32' ? batchedDims(a, b, transposeA, transposeB) : null;
    if (dims && dims.batch > 1 && dims.m * dims.k * dims.n <= SMALL_BATCHED_WORK) {
      return smallBatchedMatMul(backend as unknown as KernelBackendLike, a, b, transposeA, transposeB, dims);
    }
    if (!transposeA && !transposeB) return originalFunc(args);
    const a2 = transposeA ? swapLast(a, backend) : a;
    const b2 = transposeB ? swapLast(b, backend) : b;
    const out = originalFunc({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    const bk = backend as unknown as { disposeData(id: object): void };
    if (a2 !== a) bk.disposeData(a2.dataId);
    if (b2 !== b) bk.disposeData(b2.dataId);
    return out;
  };
  kernelFunc.transposeFirst = true;
  return { kernelName: BatchMatMul, backendName, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}
