import * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import type { SeedSequence } from '../seed-sequence.js';
import { applyLayer } from './series-encoder.js';

/** Options of {@link convolution}. */
export interface ConvolutionOptions {
  filters: number;
  kernelSize: number;
  /** Batch normalisation after the convolution. */
  batchNorm: boolean;
  /** ReLU after it. */
  relu: boolean;
  /** Bias in the convolution (off when batch norm follows). */
  useBias?: boolean;
  /** Batch-norm momentum (the model config's `batchNormMomentum`). */
  momentum: number;
}

/**
 * Conv1D ('same' padding, seeded) → optional batch norm → optional ReLU → zero the padded
 * steps again, so a padded step looks like the zero padding of a 'same' convolution to the next
 * layer and its values never leak into real steps.
 */
export function convolution(
  x: tfl.SymbolicTensor,
  mask: tfl.SymbolicTensor,
  seeds: SeedSequence,
  { filters, kernelSize, batchNorm, relu, useBias, momentum }: ConvolutionOptions,
): tfl.SymbolicTensor {
  let y = applyLayer(
    tfl.layers.conv1d({
      filters,
      kernelSize,
      padding: 'same',
      useBias: useBias ?? !batchNorm,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    }),
    x,
  );
  if (batchNorm) y = applyLayer(tfl.layers.batchNormalization({ momentum }), y);
  if (relu) y = applyLayer(tfl.layers.activation({ activation: 'relu' }), y);
  return applyLayer(new ApplyMask(), [y, mask]);
}
