import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../model-config.js';
import type { SeedSequence } from '../seed-sequence.js';

/**
 * What every series encoder receives: the (masked) step inputs `[B,T,C]`, the mask `[B,T]`, the
 * resolved config, the fixed series length when known, and the seed sequence.
 */
export interface SeriesEncoderInput {
  steps: tfl.SymbolicTensor;
  mask: tfl.SymbolicTensor;
  config: ModelConfig;
  timeSteps: number | null;
  seeds: SeedSequence;
  /**
   * A static vector `[B, D]` (early fusion's metadata) that the encoder's first layer reads at
   * every step, as if it were repeated over time and concatenated to `steps`. Only encoders
   * that {@link readsStepContext} get one; the others get it concatenated. Default: none.
   */
  stepContext?: tfl.SymbolicTensor | null;
}

/** A series encoder returns step features `[B,T,F]`, zero (or carried over) on padded steps. */
export type SeriesEncoder = (input: SeriesEncoderInput) => tfl.SymbolicTensor;

/** `layer.apply(x)` typed for one symbolic output. */
export function applyLayer(layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]): tfl.SymbolicTensor {
  return layer.apply(x) as tfl.SymbolicTensor;
}
