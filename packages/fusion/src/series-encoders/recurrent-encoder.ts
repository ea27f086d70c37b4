import * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { FusedGru } from '../layers/fused-gru.js';
import { FusedLstm } from '../layers/fused-lstm.js';
import type { ModelConfig } from '../model-config.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * Whether the encoder of `config` reads early fusion's static vector itself
 * ({@link SeriesEncoderInput.stepContext}): a one-way LSTM does, in its first {@link FusedLstm}
 * (`staticContext`), as a per-record bias with the same maths as repeating and concatenating it.
 */
export function readsStepContext(config: ModelConfig): boolean {
  return config.encoder === 'lstm' && !config.recurrent.bidirectional && config.recurrent.units.length > 0;
}

/**
 * Stacked LSTM or GRU layers, each returning every step, optionally bidirectional. Padded steps
 * never change a real step's output: the input is zeroed there and every recurrent layer keeps
 * its state over them.
 *
 * A one-way LSTM runs on {@link FusedLstm} (core's fused sequence kernel: one kernel per sequence
 * forward and backward instead of ~15 tfjs ops per step; orthogonal recurrent kernel), a one-way
 * GRU on {@link FusedGru} (core's fused GRU kernel; tfjs-layers' GRU maths, hardSigmoid gates,
 * seeded Glorot-uniform kernels as before); both read the mask directly. Bidirectional layers use
 * tfjs-layers with mask propagation and seeded Glorot-uniform recurrent kernels (tfjs' orthogonal
 * initialiser runs a QR that takes 20–40 s per 64-unit layer on cpu).
 */
export function recurrentEncoder(kind: 'lstm' | 'gru', { steps, mask, config, seeds, stepContext }: SeriesEncoderInput): tfl.SymbolicTensor {
  if (stepContext && (kind !== 'lstm' || !readsStepContext(config))) throw new Error(`recurrentEncoder: a ${kind} encoder with this config does not read a step context`);
  if (!config.recurrent.bidirectional) {
    let x = applyLayer(new ApplyMask(), [steps, mask]);
    config.recurrent.units.forEach((units, i) => {
      const seed = seeds.next();
      const context = i === 0 && stepContext ? stepContext : null;
      const layer = kind === 'lstm' ? new FusedLstm({ units, returnSequences: true, seed, staticContext: context !== null }) : new FusedGru({ units, returnSequences: true, seed });
      x = applyLayer(layer, context ? [x, mask, context] : [x, mask]);
    });
    return x;
  }
  let x = applyLayer(new ApplyMask({ propagate: true }), [steps, mask]);
  for (const units of config.recurrent.units) {
    const seed = seeds.next();
    const args = {
      units,
      returnSequences: true,
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    };
    const layer = kind === 'lstm' ? tfl.layers.lstm(args) : tfl.layers.gru(args);
    x = config.recurrent.bidirectional
      ? applyLayer(tfl.layers.bidirectional({ layer: layer as unknown as tfl.RNN, mergeMode: 'concat' }), x)
      : applyLayer(layer, x);
  }
  return x;
}
