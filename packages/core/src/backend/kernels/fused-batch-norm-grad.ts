import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm, registerGradient, type GradConfig, type Tensor } from '@tensorflow/tfjs-core';

/**
 * Batch normalisation's gradient with broadcasting instead of tfjs-core's: theirs tiles the
 * per-channel 1/σ over the whole batch (a full-size Tile, slow on wasm) and makes about ten
 * full-size intermediates; this one makes three (x − μ, dy·(x − μ), dy·γ/σ) and derives the mean
 * and variance gradients from per-channel sums. Same values (checked in kernel-parity.test.ts).
 */
export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs) => {
    const g = dy as Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: Tensor): Tensor => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gain = scale == null ? rstd : tf.mul(rstd, scale);
    // computed here, not in the thunks: tfjs runs each thunk in its own tidy, so a tensor one
    // thunk made is gone when the next one runs. Both are per-channel (small).
    const sumDy = reduce(g);
    // Σ dy·(x − μ), shared by the scale and variance gradients
    const sumDyXc = reduce(tf.mul(g, tf.sub(x, mean)));
    return {
      x: () => tf.mul(g, gain),
      mean: () => tf.neg(tf.mul(sumDy, gain)),
      variance: () => tf.mul(tf.mul(sumDyXc, gain), tf.mul(tf.square(rstd), tf.scalar(-0.5))),
      scale: () => tf.mul(sumDyXc, rstd),
      offset: () => tf.clone(sumDy),
    };
  },
};

/**
 * Installs the gradient above in tfjs-core's registry, replacing the one tfjs-layers registered
 * when it was imported. Idempotent.
 */
export function registerFusedBatchNormGradient(): void {
  registerGradient(fusedBatchNormGradConfig);
}
