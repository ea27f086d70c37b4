import { Conv2DBackpropFilter, getKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dGeometry, type ConvBackpropAttrs } from './conv2d-geometry.js';
import { makeFloatOutput, type KernelBackendLike } from './kernel-backend.js';

interface Conv2DBackpropFilterAttrs extends ConvBackpropAttrs {
  filterShape: [number, number, number, number];
}

/**
 * Conv2DBackpropFilter (the filter gradient of Conv2D, hence of Conv1D) for backends that lack
 * it (wasm). im2col then one matrix product: the patches are laid out already transposed,
 * `[fH·fW·Cin, N·outH·outW]`, so the product needs no transpose flag (wasm's transposed matMul
 * is an order of magnitude slower), and runs in the backend's own BatchMatMul kernel.
 */
export function conv2dBackpropFilterConfig(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as Conv2DBackpropFilterAttrs;
      const b = backend as unknown as KernelBackendLike;
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight: fH, filterWidth: fW, strideHeight: sH, strideWidth: sW, padTop, padLeft, K, M } =
        conv2dGeometry(Conv2DBackpropFilter, x.shape, a.filterShape, a);
      const cols = makeFloatOutput(b, [1, K, M], (out) => {
        // a heap view taken after the output exists (an allocation may move the heap); readSync
        // would copy the whole input on wasm
        const xv = (b.typedArrayFromHeap ? b.typedArrayFromHeap(x) : b.readSync(x.dataId)) as Float32Array;
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            for (let ow = 0; ow < outWidth; ow++) {
              const m = (n * outHeight + oh) * outWidth + ow;
              for (let fh = 0; fh < fH; fh++) {
                const ih = oh * sH + fh - padTop;
                if (ih < 0 || ih >= inHeight) continue;
                for (let fw = 0; fw < fW; fw++) {
                  const iw = ow * sW + fw - padLeft;
                  if (iw < 0 || iw >= inWidth) continue;
                  const src = ((n * inHeight + ih) * inWidth + iw) * inChannels;
                  const row = (fh * fW + fw) * inChannels;
                  for (let c = 0; c < inChannels; c++) out[(row + c) * M + m] = xv[src + c]!;
                }
              }
            }
          }
        }
      });
      const matMul = getKernel('BatchMatMul', backendName);
      if (!matMul) throw new Error(`BatchMatMul is not registered for ${backendName}`);
      const dy3: TensorInfo = { dataId: dy.dataId, shape: [1, M, outChannels], dtype: dy.dtype };
      const prod = matMul.kernelFunc({
        inputs: { a: cols, b: dy3 },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
      b.disposeData(cols.dataId);
      return { dataId: prod.dataId, shape: [fH, fW, inChannels, outChannels], dtype: 'float32' };
    },
  };
}
