import { UnsortedSegmentSum, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { makeFloatOutput, type KernelBackendLike } from './kernel-backend.js';

/**
 * UnsortedSegmentSum for backends that lack it (wasm). It is the gradient of Gather, so an
 * Embedding cannot train without it. `x: [N, ...inner]` (or `[...ids.shape, ...inner]`),
 * `segmentIds` int32 with `ids.size` entries; ids outside `[0, numSegments)` are dropped, as in
 * TensorFlow.
 */
export function unsortedSegmentSumImpl(
  x: Float32Array,
  ids: ArrayLike<number>,
  inner: number,
  numSegments: number,
  out: Float32Array,
): void {
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

export function unsortedSegmentSumConfig(backendName: string): KernelConfig {
  return {
    kernelName: UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      const b = backend as unknown as KernelBackendLike;
      if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum: float32 only, got ${x.dtype}`);
      const idsSize = segmentIds.shape.reduce((a, c) => a * c, 1);
      const xSize = x.shape.reduce((a, c) => a * c, 1);
      const inner = idsSize === 0 ? 0 : xSize / idsSize;
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const xv = b.readSync(x.dataId) as Float32Array;
      const ids = b.readSync(segmentIds.dataId) as Int32Array;
      return makeFloatOutput(b, outShape, (out) => unsortedSegmentSumImpl(xv, ids, inner, numSegments, out));
    },
  };
}
