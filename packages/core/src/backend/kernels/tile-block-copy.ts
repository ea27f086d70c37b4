import { Tile, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelBackendLike } from './kernel-backend.js';
import { replacementKernel } from './kernel-replacement.js';

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * Writes `src` (shape `shape`) tiled `reps` times per axis into `out`, row-major. Each source row
 * is copied once; every repetition after that is a block copy of what is already written
 * (doubling), so the cost is a few `copyWithin` calls per axis, not a coordinate computation per
 * element.
 */
export function tileInto(src: Typed, shape: readonly number[], reps: readonly number[], out: Typed): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[0]!;
    return;
  }
  const srcStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  srcStride[rank - 1] = 1;
  outStride[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) {
    srcStride[a] = srcStride[a + 1]! * shape[a + 1]!;
    outStride[a] = outStride[a + 1]! * shape[a + 1]! * reps[a + 1]!;
  }
  const repeat = (start: number, block: number, times: number): void => {
    const total = block * times;
    let filled = block;
    while (filled < total) {
      const n = Math.min(filled, total - filled);
      out.copyWithin(start + filled, start, start + n);
      filled += n;
    }
  };
  const write = (axis: number, srcOff: number, outOff: number): void => {
    const n = shape[axis]!;
    if (axis === rank - 1) {
      out.set(src.subarray(srcOff, srcOff + n), outOff);
      if (reps[axis]! > 1) repeat(outOff, n, reps[axis]!);
      return;
    }
    for (let i = 0; i < n; i++) write(axis + 1, srcOff + i * srcStride[axis]!, outOff + i * outStride[axis]!);
    if (reps[axis]! > 1) repeat(outOff, n * outStride[axis]!, reps[axis]!);
  };
  write(0, 0, 0);
}

/**
 * Replaces wasm's Tile (a coordinate computation per output element: 25 % of an FCN training
 * step, where batch normalisation's gradient tiles a per-channel vector over the whole batch) with
 * block copies in the wasm heap. Strings and backends without heap outputs keep the original.
 */
export function tileBlockCopyConfig(backendName: string): KernelConfig | undefined {
  return replacementKernel(Tile, backendName, 'tile-block-copy', (originalFunc) => (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const reps = (args.attrs as unknown as { reps: number[] }).reps;
    const bk = args.backend as unknown as KernelBackendLike;
    if (x.dtype === 'string' || x.dtype === 'complex64' || !bk.makeOutput || !bk.typedArrayFromHeap || reps.length !== x.shape.length) {
      return originalFunc(args);
    }
    const info = bk.makeOutput(x.shape.map((d, i) => d * reps[i]!), x.dtype);
    if (info.shape.some((d) => d === 0)) return info;
    // read the input after allocating: a heap growth detaches earlier views
    tileInto(bk.typedArrayFromHeap(x) as Typed, x.shape, reps, bk.typedArrayFromHeap(info) as Typed);
    return info;
  });
}
