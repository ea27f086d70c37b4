import { Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { replacementKernel } from './kernel-replacement.js';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * Replaces wasm's Identity, which copies the tensor, with one that shares its data and counts a
 * reference (what the cpu backend and wasm's own Reshape do; tensors are immutable). tfjs runs
 * Identity to clone every tensor a gradient will need while recording the tape — for a fused
 * LSTM the whole sequence, its cells and its gates — so the copies were 4–5 % of a training
 * step. Strings keep the original.
 */
export function identitySharedConfig(backendName: string): KernelConfig | undefined {
  return replacementKernel(Identity, backendName, 'identity-shared', (originalFunc) => (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const backend = args.backend as unknown as Partial<RefCountingBackend>;
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') return originalFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
