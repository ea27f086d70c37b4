import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/** The inputs every fused recurrent sequence kernel takes. */
export interface SequenceInputs {
  x: tf.Tensor3D;
  kernel: tf.Tensor2D;
  recurrentKernel: tf.Tensor2D;
  /** `[G]`, or `[B, G]` where a kernel takes one bias per record. */
  bias: tf.Tensor1D | tf.Tensor2D;
  mask: tf.Tensor2D;
}

/**
 * Runs a fused recurrent kernel whose first output is the sequence and whose other outputs
 * (`savedNames`: cells, gates…) exist only for its backward kernel, as one custom-gradient op:
 * tfjs's tape then records one output. Run as a plain kernel with several outputs, tfjs gives
 * every output without a gradient a tensor of zeros built in JavaScript and copied into the
 * backend on each backward pass — for an LSTM's `[B, T, 4U]` gates 10 % of a training step.
 * The backward kernel takes `dy`, `x`, `kernel`, `recurrentKernel`, `mask`, `seq` and the saved
 * outputs by name, and returns the gradients of `x`, `kernel`, `recurrentKernel` and `bias`.
 */
export function runSequenceOp(forwardKernel: string, backwardKernel: string, savedNames: readonly string[], inputs: SequenceInputs, attrs: NamedAttrMap = {}): tf.Tensor3D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, kernel, recurrentKernel, bias, mask] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    const [seq, ...extra] = tf.engine().runKernel(forwardKernel, { x: x!, kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias!, mask: mask! }, attrs) as tf.Tensor[];
    save([x!, kernel!, recurrentKernel!, mask!, seq!, ...extra]);
    return {
      value: seq!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sk, sr, sm, sseq, ...sextra] = saved;
        const named: Record<string, tf.Tensor> = { dy, x: sx!, kernel: sk!, recurrentKernel: sr!, mask: sm!, seq: sseq! };
        savedNames.forEach((name, i) => (named[name] = sextra[i]!));
        const [dx, dKernel, dRecurrent, dBias] = tf.engine().runKernel(backwardKernel, named, attrs) as tf.Tensor[];
        // the mask is data, not a parameter: its gradient is zero
        return [dx!, dKernel!, dRecurrent!, dBias!, tf.zerosLike(sm!)];
      },
    };
  });
  return op(inputs.x, inputs.kernel, inputs.recurrentKernel, inputs.bias, inputs.mask) as tf.Tensor3D;
}
