import * as tf from '@tensorflow/tfjs-core';
import { Mean, registerGradient, Sum, type GradConfig, type Tensor } from '@tensorflow/tfjs-core';

/** `dy` (the reduced shape) spread back over `x`'s shape, scaled: one Tile, no tensor of ones. */
function spread(dy: Tensor, x: Tensor, axes: number[], scale: number): Tensor {
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const reps = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
  const scaled = scale === 1 ? dy : tf.mul(dy, tf.scalar(scale));
  return tf.tile(tf.reshape(scaled, expanded), reps);
}

/** The axes a Sum or Mean reduced: `null` is every axis (`tf.mean(x)`); negative ones count from the end. */
function reducedAxes(axis: number | number[] | null, x: Tensor): number[] {
  return axis === null || axis === undefined ? x.shape.map((_, i) => i) : [...new Set(tf.util.parseAxisParam(axis, x.shape))];
}

/**
 * Sum's and Mean's gradients as one Tile of the (scaled) upstream gradient. tfjs-core's build a
 * full-size tensor of ones in JavaScript, copy it into the backend and multiply (and divide):
 * ~4 % of an FCN training step on wasm, where core's Tile is a few block copies.
 */
export const sumGradConfig: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const { axis } = attrs as unknown as { axis: number | number[] | null };
    return { x: () => spread(dy as Tensor, x, reducedAxes(axis, x), 1) };
  },
};

/** See {@link sumGradConfig}. */
export const meanGradConfig: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const { axis } = attrs as unknown as { axis: number | number[] | null };
    const axes = reducedAxes(axis, x);
    const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
    return { x: () => spread(dy as Tensor, x, axes, 1 / count) };
  },
};

/** Installs both (after tfjs-layers registered tfjs-core's). Idempotent. */
export function registerReductionGradients(): void {
  registerGradient(sumGradConfig);
  registerGradient(meanGradConfig);
}
