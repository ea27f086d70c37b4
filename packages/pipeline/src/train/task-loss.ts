import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '@metaseries/core';

const EPSILON = 1e-7;

/**
 * Per-record loss `[B]` of a task: binary and multilabel cross-entropy (mean over labels),
 * categorical cross-entropy (multiclass, one-hot targets), squared error (regression, mean over
 * outputs). `yPred` holds probabilities (or values, regression) as the model outputs them.
 */
export function perRecordLoss(task: Task, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (task === 'regression') return tf.mean(tf.squaredDifference(yTrue, yPred), -1) as tf.Tensor1D;
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    if (task === 'multiclass') return tf.neg(tf.sum(tf.mul(yTrue, tf.log(p)), -1)) as tf.Tensor1D;
    const bce = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(bce, -1)) as tf.Tensor1D;
  });
}

/** Mean of the per-record loss, each record weighted by `weights` (`[B]`, e.g. class weights) when given. */
export function weightedLoss(task: Task, yTrue: tf.Tensor, yPred: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const l = perRecordLoss(task, yTrue, yPred);
    return (weights ? tf.mean(tf.mul(l, weights)) : tf.mean(l)) as tf.Scalar;
  });
}

/**
 * The training loss of a model's outputs: {@link weightedLoss} of the output at each of
 * `outputIndexes`, averaged — one index for a single model, one per member for an ensemble, so
 * that each member learns from its own prediction.
 */
export function outputsLoss(task: Task, yTrue: tf.Tensor, outputs: tf.Tensor | tf.Tensor[], outputIndexes: readonly number[], weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const outs = Array.isArray(outputs) ? outputs : [outputs];
    const losses = outputIndexes.map((i) => weightedLoss(task, yTrue, outs[i]!, weights));
    return (losses.length === 1 ? losses[0]! : tf.div(tf.addN(losses), losses.length)) as tf.Scalar;
  });
}

/** Scales `grads` so that their global L2 norm is at most `clipNorm` (unchanged when below). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const sq = names.map((n) => tf.sum(tf.square(grads[n]!)));
    const norm = tf.sqrt(tf.addN(sq));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n]!, scale);
    return out;
  });
}
