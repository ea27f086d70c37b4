import { Mean, Sum, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { replacementKernel } from './kernel-replacement.js';
import { makeFloatOutput, type KernelBackendLike } from './kernel-backend.js';
import { smallMatMulFor } from '../../ops/small-mat-mul-module.js';

/**
 * `[rows, cols]` when reducing `shape` over `axes` sums whole leading rows — the axes are exactly
 * `0 … j-1` — else `null`. This is how every bias, batch-norm and moment gradient reduces.
 */
export function leadingReduction(shape: readonly number[], axis: number | number[]): { rows: number; cols: number; kept: number[] } | null {
  const rank = shape.length;
  if (rank === 0) return null;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
  if (axes.length === 0 || axes.length === rank || axes.some((a, i) => a !== i)) return null;
  const rows = shape.slice(0, axes.length).reduce((x, y) => x * y, 1);
  const kept = shape.slice(axes.length);
  return { rows, cols: kept.reduce((x, y) => x * y, 1), kept };
}

/**
 * Replaces wasm's Sum or Mean when the reduced axes are the leading ones: wasm moves the reduced
 * axes last with a transpose of the whole tensor, then reduces (the transposes were ~5 % of an
 * FCN step); here the rows are added into one row, in place, with the SIMD module (JS loops
 * where it does not load). Other reductions keep the original.
 */
function leadingReductionConfig(kernelName: typeof Sum | typeof Mean, backendName: string): KernelConfig | undefined {
  return replacementKernel(kernelName, backendName, `leading-rows-${kernelName}`, (originalFunc) => (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const bk = args.backend as unknown as KernelBackendLike;
    const plan = x.dtype === 'float32' && bk.makeOutput && bk.typedArrayFromHeap ? leadingReduction(x.shape, axis) : null;
    if (!plan || plan.rows === 0 || plan.cols === 0) return originalFunc(args);
    const { rows, cols, kept } = plan;
    const outShape = keepDims ? [...x.shape.slice(0, x.shape.length - kept.length).map(() => 1), ...kept] : kept;
    const simd = smallMatMulFor(bk);
    const scale = kernelName === Mean ? 1 / rows : 1;
    const info = makeFloatOutput(bk, outShape, () => undefined);
    if (simd) simd.exports.columnSums(simd.ptr(x), simd.ptr(info), rows, cols);
    const out = bk.typedArrayFromHeap!(info) as Float32Array;
    if (!simd) {
      const xv = bk.typedArrayFromHeap!(x) as Float32Array;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        for (let c = 0; c < cols; c++) out[c]! += xv[o + c]!;
      }
    }
    if (scale !== 1) for (let c = 0; c < cols; c++) out[c]! *= scale;
    return info;
  });
}

/** wasm's Sum over leading axes without the transpose. */
export const sumLeadingRowsConfig = (backendName: string) => leadingReductionConfig(Sum, backendName);
/** wasm's Mean over leading axes without the transpose. */
export const meanLeadingRowsConfig = (backendName: string) => leadingReductionConfig(Mean, backendName);
