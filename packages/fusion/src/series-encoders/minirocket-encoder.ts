import type * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { MiniRocketFeatures } from '../minirocket/minirocket-features.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * MiniRocket (Dempster et al. 2021): unlike the other encoders it returns one pooled vector
 * `[B, F]` per record (its PPV features), not step features; its biases are fitted by
 * `adaptModel` on the training split before training.
 */
export function minirocketEncoder({
  steps,
  mask,
  config,
  seeds,
}: SeriesEncoderInput): tfl.SymbolicTensor {
  const masked = applyLayer(new ApplyMask(), [steps, mask]);
  const { numFeatures, maxDilationsPerKernel } = config.minirocket;
  return applyLayer(
    new MiniRocketFeatures({ numFeatures, maxDilationsPerKernel, seed: seeds.next() }),
    [masked, mask],
  );
}
