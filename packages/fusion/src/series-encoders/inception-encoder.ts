import * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { convolution } from './convolution-block.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * InceptionTime (Ismail Fawaz et al. 2020): `depth` inception modules — a 1×1 bottleneck, then
 * parallel convolutions with kernels 40/20/10 (cut to the series length when it is known) beside
 * a max-pool → 1×1 convolution, concatenated, batch norm, ReLU — with a residual shortcut every
 * three modules. Padded steps are zeroed after every module (max-pooling sees them as zeros).
 */
export function inceptionEncoder({ steps, mask, config, seeds, timeSteps }: SeriesEncoderInput): tfl.SymbolicTensor {
  const c = config.inception;
  const kernels = c.kernelSizes.map((k) => (timeSteps ? Math.max(1, Math.min(k, timeSteps)) : k));
  let x = applyLayer(new ApplyMask(), [steps, mask]);
  let residual = x;
  for (let d = 0; d < c.depth; d++) {
    const inWidth = x.shape[2] as number;
    const bottleneck =
      c.bottleneck > 0 && inWidth > 1
        ? convolution(x, mask, seeds, { filters: c.bottleneck, kernelSize: 1, batchNorm: false, relu: false, useBias: false, momentum: config.batchNormMomentum })
        : x;
    const branches = kernels.map((kernelSize) =>
      convolution(bottleneck, mask, seeds, { filters: c.filters, kernelSize, batchNorm: false, relu: false, useBias: false, momentum: config.batchNormMomentum }),
    );
    const pooled = applyLayer(tfl.layers.maxPooling1d({ poolSize: 3, strides: 1, padding: 'same' }), x);
    branches.push(convolution(pooled, mask, seeds, { filters: c.filters, kernelSize: 1, batchNorm: false, relu: false, useBias: false, momentum: config.batchNormMomentum }));
    let y = applyLayer(tfl.layers.concatenate({ axis: -1 }), branches);
    y = applyLayer(tfl.layers.batchNormalization({ momentum: config.batchNormMomentum }), y);
    y = applyLayer(tfl.layers.activation({ activation: 'relu' }), y);
    x = applyLayer(new ApplyMask(), [y, mask]);
    if (c.residualEvery > 0 && (d + 1) % c.residualEvery === 0) {
      const shortcut = convolution(residual, mask, seeds, {
        filters: x.shape[2] as number,
        kernelSize: 1,
        batchNorm: true,
        relu: false,
        momentum: config.batchNormMomentum,
      });
      x = applyLayer(tfl.layers.activation({ activation: 'relu' }), applyLayer(tfl.layers.add(), [x, shortcut]));
      residual = x;
    }
  }
  return x;
}
