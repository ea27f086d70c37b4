import * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { convolution } from './convolution-block.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * ResNet for time series (Wang et al. 2017): residual blocks (default 64/128/128 filters), each
 * three convolutions with kernels 8/5/3, batch norm and ReLU, plus a 1×1-convolution (or batch
 * norm) shortcut. Padded steps are zeroed after every convolution.
 */
export function resnetEncoder({ steps, mask, config, seeds }: SeriesEncoderInput): tfl.SymbolicTensor {
  let x = applyLayer(new ApplyMask(), [steps, mask]);
  let width = x.shape[2] as number;
  for (const filters of config.resnet.filters) {
    let y = x;
    config.resnet.kernelSizes.forEach((kernelSize, i) => {
      const last = i === config.resnet.kernelSizes.length - 1;
      y = convolution(y, mask, seeds, { filters, kernelSize, batchNorm: true, relu: !last, momentum: config.batchNormMomentum });
    });
    const shortcut =
      width === filters
        ? applyLayer(new ApplyMask(), [applyLayer(tfl.layers.batchNormalization({ momentum: config.batchNormMomentum }), x), mask])
        : convolution(x, mask, seeds, { filters, kernelSize: 1, batchNorm: true, relu: false, momentum: config.batchNormMomentum });
    x = applyLayer(tfl.layers.activation({ activation: 'relu' }), applyLayer(tfl.layers.add(), [y, shortcut]));
    width = filters;
  }
  return x;
}
