import * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * Stacked LSTM or GRU layers, each returning every step, optionally bidirectional. The mask is
 * handed to every recurrent layer, which keeps its state over padded steps (and the input is
 * zeroed there), so padding never changes a real step's output. Kernels and recurrent kernels
 * are seeded Glorot-uniform.
 */
export function recurrentEncoder(kind: 'lstm' | 'gru', { steps, mask, config, seeds }: SeriesEncoderInput): tfl.SymbolicTensor {
  let x = applyLayer(new ApplyMask({ propagate: true }), [steps, mask]);
  for (const units of config.recurrent.units) {
    const seed = seeds.next();
    const args = {
      units,
      returnSequences: true,
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      // Not Keras' orthogonal default: tfjs computes it with a JS QR that takes 20-40 s for one
      // 64-unit LSTM on the cpu backend. Glorot-uniform trains as well at these sizes.
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    };
    const layer = kind === 'lstm' ? tfl.layers.lstm(args) : tfl.layers.gru(args);
    x = config.recurrent.bidirectional
      ? applyLayer(tfl.layers.bidirectional({ layer: layer as unknown as tfl.RNN, mergeMode: 'concat' }), x)
      : applyLayer(layer, x);
  }
  return x;
}
