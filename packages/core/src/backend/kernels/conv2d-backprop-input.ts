import { Conv2DBackpropInput, getKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dGeometry, type ConvBackpropAttrs } from './conv2d-geometry.js';
import { makeFloatOutput, type KernelBackendLike } from './kernel-backend.js';

interface Conv2DBackpropInputAttrs extends ConvBackpropAttrs {
  inputShape: [number, number, number, number];
}

/**
 * Conv2DBackpropInput (the input gradient of Conv2D, hence of Conv1D) as one matrix product and
 * a col2im: `dCols [N·outH·outW, fH·fW·Cin] = dy [·, Cout] · Wᵀ [Cout, fH·fW·Cin]` in the backend's
 * own BatchMatMul (XNNPACK on wasm), then each patch gradient is added back where the patch was
 * read. tfjs-wasm's own kernel is a direct loop that took ~64 % of a C1 (FCN) training step,
 * measured with tools/bench/profile.mjs.
 */
export function conv2dBackpropInputConfig(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as Conv2DBackpropInputAttrs;
      const b = backend as unknown as KernelBackendLike;
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight: fH, filterWidth: fW, strideHeight: sH, strideWidth: sW, padTop, padLeft, K, M } =
        conv2dGeometry(Conv2DBackpropInput, a.inputShape, filter.shape, a);
      // Wᵀ [Cout, K], laid out here so the product needs no transpose flag
      const wv = b.readSync(filter.dataId) as Float32Array;
      const wT = makeFloatOutput(b, [1, outChannels, K], (out) => {
        for (let k = 0; k < K; k++) for (let o = 0; o < outChannels; o++) out[o * K + k] = wv[k * outChannels + o]!;
      });
      const matMul = getKernel('BatchMatMul', backendName);
      if (!matMul) throw new Error(`BatchMatMul is not registered for ${backendName}`);
      const dy3: TensorInfo = { dataId: dy.dataId, shape: [1, M, outChannels], dtype: dy.dtype };
      const dCols = matMul.kernelFunc({ inputs: { a: dy3, b: wT }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
      b.disposeData(wT.dataId);
      const dx = makeFloatOutput(b, [batchSize, inHeight, inWidth, inChannels], (out) => {
        // a heap view taken after the output exists (an allocation may move the heap); readSync
        // would copy all of dCols out of the wasm heap first
        const cv = (b.typedArrayFromHeap ? b.typedArrayFromHeap(dCols) : b.readSync(dCols.dataId)) as Float32Array;
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
                  const dst = ((n * inHeight + ih) * inWidth + iw) * inChannels;
                  const src = m * K + (fh * fW + fw) * inChannels;
                  for (let c = 0; c < inChannels; c++) out[dst + c]! += cv[src + c]!;
                }
              }
            }
          }
        }
      });
      b.disposeData(dCols.dataId);
      return dx;
    },
  };
}
