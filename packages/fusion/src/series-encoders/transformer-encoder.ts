import * as tfl from '@tensorflow/tfjs-layers';
import { ApplyMask } from '../layers/apply-mask.js';
import { MultiHeadSelfAttention } from '../layers/multi-head-self-attention.js';
import { PositionalEncoding } from '../layers/positional-encoding.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoder.js';

/**
 * A small Transformer encoder (Vaswani et al. 2017, post-norm): a linear projection to `dModel`,
 * sinusoidal positional encoding, then `layers` × (masked multi-head self-attention + residual +
 * layer norm, feed-forward ReLU + residual + layer norm). No step attends to a padded step and
 * padded steps are zeroed after every layer.
 */
export function transformerEncoder({ steps, mask, config, seeds }: SeriesEncoderInput): tfl.SymbolicTensor {
  const t = config.transformer;
  const dense = (units: number, activation?: 'relu') =>
    tfl.layers.dense({ units, activation, kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }) });
  let x = applyLayer(new ApplyMask(), [steps, mask]);
  x = applyLayer(dense(t.dModel), x);
  x = applyLayer(new PositionalEncoding(), x);
  x = applyLayer(new ApplyMask(), [x, mask]);
  for (let i = 0; i < t.layers; i++) {
    const attended = applyLayer(new MultiHeadSelfAttention({ heads: t.heads, seed: seeds.next() }), [x, mask]);
    x = applyLayer(tfl.layers.layerNormalization(), applyLayer(tfl.layers.add(), [x, attended]));
    const ff = applyLayer(dense(t.dModel), applyLayer(dense(t.feedForward, 'relu'), x));
    x = applyLayer(tfl.layers.layerNormalization(), applyLayer(tfl.layers.add(), [x, ff]));
    x = applyLayer(new ApplyMask(), [x, mask]);
  }
  return x;
}
