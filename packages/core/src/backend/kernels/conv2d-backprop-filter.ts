import { Conv2DBackpropFilter, getKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dGeometry, type ConvBackpropAttrs } from './conv2d-geometry.js';
import { makeFloatOutput, type KernelBackendLike } from './kernel-backend.js';

interface Conv2DBackpropFilterAttrs extends ConvBackpropAttrs {
  filterShape: [number, number, number, number];
}

/**
 * Conv2DBackpropFilter (the filter gradient of Conv2D, hence of Conv1D) for backends that lack
 * it (wasm). im2col then one matrix product `colsᵀ · dy` in the backend's own BatchMatMul kernel
 * (on wasm core's transpose-first version: wasm's own transposed product is an order of magnitude
 * slower).
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
      // patches row by row, [N·outH·outW, fH·fW·Cin]: every tap is one contiguous copy of Cin
      // values (the transposed layout wrote each value to another row: a cache miss per value)
      const cols = makeFloatOutput(b, [1, M, K], (out) => {
        // a heap view taken after the output exists (an allocation may move the heap); readSync
        // would copy the whole input on wasm
        const xv = (b.typedArrayFromHeap ? b.typedArrayFromHeap(x) : b.readSync(x.dataId)) as Float32Array;
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            for (let ow = 0; ow < outWidth; ow++) {
              const rowStart = ((n * outHeight + oh) * outWidth + ow) * K;
              for (let fh = 0; fh < fH; fh++) {
                const ih = oh * sH + fh - padTop;
                if (ih < 0 || ih >= inHeight) continue;
                for (let fw = 0; fw < fW; fw++) {
                  const iw = ow * sW + fw - padLeft;
                  if (iw < 0 || iw >= inWidth) continue;
                  const src = ((n * inHeight + ih) * inWidth + iw) * inChannels;
                  out.set(xv.subarray(src, src + inChannels), rowStart + (fh * fW + fw) * inChannels);
                }
              }
            }
          }
        }
      });
      const matMul = getKernel('BatchMatMul', backendName);
      if (!matMul) throw new Error(`BatchMatMul is not registered for ${backendName}`);
      const dy3: TensorInfo = { dataId: dy.dataId, shape: [1, M, outChannels], dtype: dy.dtype };
      // colsᵀ · dy: on wasm the transpose-first BatchMatMul transposes in one XNNPACK call
      const prod = matMul.kernelFunc({
        inputs: { a: cols, b: dy3 },
        backend,
        attrs: { transposeA: true, transposeB: false },
      }) as TensorInfo;
      b.disposeData(cols.dataId);
      return { dataId: prod.dataId, shape: [fH, fW, inChannels, outChannels], dtype: 'float32' };
    },
  };
}
