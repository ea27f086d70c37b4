import type { DataType, TensorInfo, backend_util } from '@tensorflow/tfjs-core';

/**
 * The part of a tfjs backend (wasm or cpu) that our JS kernels use. Both BackendWasm and
 * MathBackendCPU provide these; we type them structurally so core does not import backend
 * internals.
 */
export interface KernelBackendLike {
  readSync(dataId: object): backend_util.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
  /** wasm: allocate an output in the heap. */
  makeOutput?(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap?(info: TensorInfo): backend_util.TypedArray;
  /** cpu: wrap values as an output. */
  makeTensorInfo?(shape: number[], dtype: DataType, values?: backend_util.BackendValues): TensorInfo;
}

/** Options of {@link makeFloatOutput}. */
export interface FloatOutputOptions {
  /**
   * Whether a wasm heap output is zeroed before `fill` runs. Turn it off only where every value
   * is written afterwards (a heap allocation holds whatever was there before). cpu outputs are
   * always new, zeroed arrays.
   * @default true
   */
  zeroed?: boolean;
}

/** Allocates a float32 output of `shape` on `backend` and lets `fill` write its values. */
export function makeFloatOutput(
  backend: KernelBackendLike,
  shape: number[],
  fill: (out: Float32Array) => void,
  options: FloatOutputOptions = {},
): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  if (backend.makeOutput && backend.typedArrayFromHeap) {
    const info = backend.makeOutput(shape, 'float32');
    const out = backend.typedArrayFromHeap(info) as Float32Array;
    if (options.zeroed ?? true) out.fill(0);
    fill(out);
    return info;
  }
  if (backend.makeTensorInfo) {
    const out = new Float32Array(size);
    fill(out);
    return backend.makeTensorInfo(shape, 'float32', out);
  }
  throw new Error('backend can neither allocate heap outputs nor wrap values');
}
