import { getKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

type Tagged = KernelFunc & { replacedBy?: string };

/**
 * A replacement for a kernel the backend registered: `make` receives the original function (to
 * fall back to for the cases it does not handle) and returns the new one. `undefined` when the
 * backend has no such kernel, or when its function is already the one `tag` made (so replacing
 * twice never wraps a replacement in itself).
 */
export function replacementKernel(kernelName: string, backendName: string, tag: string, make: (original: KernelFunc) => KernelFunc): KernelConfig | undefined {
  const original = getKernel(kernelName, backendName);
  if (!original || (original.kernelFunc as Tagged).replacedBy === tag) return undefined;
  const kernelFunc: Tagged = make(original.kernelFunc);
  kernelFunc.replacedBy = tag;
  return { kernelName, backendName, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}
