import type * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { convolution } from './convolution-block.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * Fully convolutional network (Wang et al. 2017): blocks of Conv1D → batch norm → ReLU, default
 * 128/256/128 filters with kernels 8/5/3. Padded steps are zeroed after every block.
 */
export function fcnEncoder({ steps, mask, config, seeds }: SeriesEncoderInput): tfl.SymbolicTensor {
  let x = applyLayer(new ApplyMask(), [steps, mask]);
  config.fcn.filters.forEach((filters, i) => {
    x = convolution(x, mask, seeds, { filters, kernelSize: config.fcn.kernelSizes[i], batchNorm: true, relu: true, momentum: config.batchNormMomentum });
  });
  return x;
}
