import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError, tensorFromData, type Task } from '@metaseries/core';
import { lossOutputIndexes } from '@metaseries/fusion';
import { fitRidgeCV, RIDGE_MAX_SIDE } from './ridge-regression.js';
import type { TrainingBatch } from './training-loop.js';

/** What {@link solveRidgeHead} did, for the history and the bundle. */
export interface RidgeHeadResult {
  /** Penalty chosen for each head (one per ensemble member). */
  alphas: number[];
  /** Mean squared leave-one-out error of every penalty tried, per head. */
  looErrors: number[][];
  /** Records the heads were fitted on. */
  records: number;
}

/**
 * `train.solver: ridge`: fits the model's output layer (each ensemble member's) in closed form,
 * as MiniRocket and ROCKET do, instead of by gradient steps. Every layer before it keeps its
 * (initial or adapted) weights; the output layer's kernel and bias become the ridge regression
 * of the targets — ±1 per class for classification (scikit-learn's `RidgeClassifierCV`), the
 * values for regression — on the features that reach it, with the penalty chosen by exact
 * leave-one-out error. The output activation (softmax / sigmoid) then reads the ridge scores.
 */
export async function solveRidgeHead(
  model: tfl.LayersModel,
  batches: Iterable<TrainingBatch> | AsyncIterable<TrainingBatch>,
  options: { task: Task; outputName: string; alphas: readonly number[] },
): Promise<RidgeHeadResult> {
  const heads = lossOutputIndexes(model, options.outputName).map((i) =>
    model.getLayer(model.outputNames[i]!),
  );
  for (const h of heads) {
    if (h.getClassName() !== 'Dense')
      throw new MetaseriesError(
        'CONFIG_INVALID',
        `train.solver ridge fits a dense output layer; ${h.name} is a ${h.getClassName()}`,
        { field: 'train.solver', value: 'ridge', expected: 'gradient' },
      );
  }
  const features = tfl.model({
    inputs: model.inputs,
    outputs: heads.map((h) => h.input as tfl.SymbolicTensor),
  });
  const parts: Float32Array[][] = heads.map(() => []);
  const targets: number[] = [];
  const weights: number[] = [];
  let width = 0;
  let outputs = 0;
  for await (const batch of batches) {
    const inputs = model.inputNames.map((n) => tensorFromData(batch.inputs[n]!));
    const out = features.predict(inputs);
    const list = Array.isArray(out) ? out : [out];
    list.forEach((t, i) => {
      parts[i]!.push(t.dataSync() as Float32Array);
      width = t.shape[1] as number;
    });
    tf.dispose([...inputs, ...list]);
    outputs = batch.y.shape[1] ?? 1;
    const y = batch.y.data;
    for (let t = 0; t < y.length; t++)
      targets.push(options.task === 'regression' ? y[t]! : 2 * y[t]! - 1);
    const rows = batch.y.shape[0]!;
    for (let r = 0; r < rows; r++) weights.push(batch.weights ? batch.weights[r]! : 1);
  }
  const n = weights.length;
  if (Math.min(n, width) > RIDGE_MAX_SIDE) {
    throw new MetaseriesError(
      'CONFIG_INVALID',
      `train.solver ridge: ${n} training records and ${width} features; the closed-form solver needs one of them <= ${RIDGE_MAX_SIDE} (use solver gradient)`,
      { field: 'train.solver', value: 'ridge', expected: 'gradient' },
    );
  }
  const result: RidgeHeadResult = { alphas: [], looErrors: [], records: n };
  heads.forEach((head, i) => {
    const x = new Float32Array(n * width);
    let at = 0;
    for (const p of parts[i]!) {
      x.set(p, at);
      at += p.length;
    }
    const fit = fitRidgeCV(x, n, width, targets, outputs, { alphas: options.alphas, weights });
    const values = [
      tf.tensor2d(Float32Array.from(fit.coef), [width, outputs]),
      tf.tensor1d(Float32Array.from(fit.intercept)),
    ];
    head.setWeights(values);
    tf.dispose(values);
    result.alphas.push(fit.alpha);
    result.looErrors.push(fit.looErrors);
  });
  return result;
}
