import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { batchMatMulTransposeFirstConfig } from './batch-mat-mul-transpose-first.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { tileBlockCopyConfig } from './tile-block-copy.js';
import { sliceHeapViewConfig } from './slice-heap-view.js';
import { identitySharedConfig } from './identity-shared.js';
import { meanLeadingRowsConfig, sumLeadingRowsConfig } from './column-reductions.js';
import { registerFusedBatchNormGradient } from './fused-batch-norm-grad.js';
import { registerReductionGradients } from './reduction-grads.js';

/** What `registerMissingKernels` did for one backend. */
export interface KernelRegistration {
  backend: string;
  /** Kernels the backend lacked and we added. */
  added: string[];
  /** Kernels we replaced with a faster equivalent. */
  replaced: string[];
}

const done = new Map<string, KernelRegistration>();

/**
 * Makes a backend able to train every layer metaseries uses: adds the kernels it lacks
 * (wasm: UnsortedSegmentSum for Embedding's gradient, Conv2DBackpropFilter for Conv1D's) and, on
 * wasm, replaces BatchMatMul with a transpose-first version and Conv2DBackpropInput (a direct
 * loop there) with a matrix product + col2im, and Tile (a coordinate computation per element) with
 * block copies, Slice (a copy of the whole input first) with copies from a heap view, and Identity
 * (a copy) with a shared, reference-counted tensor, and Sum / Mean over leading axes (a transpose of
 * the whole tensor first) with row additions. On every backend, batch normalisation's gradient is replaced by one that
 * broadcasts instead of tiling. Idempotent per backend.
 */
export function registerMissingKernels(backendName: string): KernelRegistration {
  registerFusedBatchNormGradient();
  registerReductionGradients();
  const prev = done.get(backendName);
  if (prev) return prev;
  const result: KernelRegistration = { backend: backendName, added: [], replaced: [] };
  const candidates: KernelConfig[] = [unsortedSegmentSumConfig(backendName), conv2dBackpropFilterConfig(backendName)];
  for (const config of candidates) {
    if (!getKernel(config.kernelName, backendName)) {
      registerKernel(config);
      result.added.push(config.kernelName);
    }
  }
  if (backendName === 'wasm') {
    const fast = batchMatMulTransposeFirstConfig(backendName);
    if (fast) {
      // unregister-then-register keeps the original setup (already run) and swaps the function.
      const orig = getKernel(fast.kernelName, backendName)!;
      (orig as { kernelFunc: unknown }).kernelFunc = fast.kernelFunc;
      result.replaced.push(fast.kernelName);
    }
    const convInput = getKernel('Conv2DBackpropInput', backendName);
    if (convInput) {
      (convInput as { kernelFunc: unknown }).kernelFunc = conv2dBackpropInputConfig(backendName).kernelFunc;
      result.replaced.push('Conv2DBackpropInput');
    }
    for (const fast of [
      tileBlockCopyConfig(backendName),
      sliceHeapViewConfig(backendName),
      identitySharedConfig(backendName),
      sumLeadingRowsConfig(backendName),
      meanLeadingRowsConfig(backendName),
    ]) {
      if (!fast) continue;
      (getKernel(fast.kernelName, backendName) as { kernelFunc: unknown }).kernelFunc = fast.kernelFunc;
      result.replaced.push(fast.kernelName);
    }
  }
  done.set(backendName, result);
  return result;
}
