import { Slice, slice_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelBackendLike } from './kernel-backend.js';
import { replacementKernel } from './kernel-replacement.js';

type Typed = Float32Array | Int32Array | Uint8Array;

/** Copies the box `begin`/`size` of `x` (row-major, shape `shape`) into `out`, one contiguous run at a time. */
export function sliceInto(x: Typed, shape: readonly number[], begin: readonly number[], size: readonly number[], out: Typed): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = s;
    s *= shape[a]!;
  }
  // one contiguous run: axis `inner` (any box) and the axes after it, which the box covers whole
  let inner = rank - 1;
  let run = size[inner]!;
  while (inner > 0 && begin[inner]! === 0 && size[inner]! === shape[inner]!) {
    inner--;
    run *= size[inner]!;
  }
  let o = 0;
  const walk = (axis: number, off: number): void => {
    if (axis === inner) {
      const start = off + begin[axis]! * strides[axis]!;
      out.set(x.subarray(start, start + run), o);
      o += run;
      return;
    }
    for (let i = 0; i < size[axis]!; i++) walk(axis + 1, off + (begin[axis]! + i) * strides[axis]!);
  };
  walk(0, 0);
}

/**
 * Replaces wasm's Slice, which starts with `readSync` of the whole input — on wasm a copy of
 * the input out of the heap, made again for every slice of the same tensor (early fusion's concat
 * gradient slices the full sequence gradient per input) — with copies straight from a heap view.
 */
export function sliceHeapViewConfig(backendName: string): KernelConfig | undefined {
  return replacementKernel(Slice, backendName, 'slice-heap-view', (originalFunc) => (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const bk = args.backend as unknown as KernelBackendLike;
    if (x.dtype === 'string' || x.dtype === 'complex64' || !bk.makeOutput || !bk.typedArrayFromHeap || x.shape.length === 0) return originalFunc(args);
    const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin, attrs.size);
    const info = bk.makeOutput(size, x.dtype);
    if (size.some((d) => d === 0)) return info;
    // views taken after allocating: a heap growth detaches earlier ones
    sliceInto(bk.typedArrayFromHeap(x) as Typed, x.shape, begin, size, bk.typedArrayFromHeap(info) as Typed);
    return info;
  });
}
