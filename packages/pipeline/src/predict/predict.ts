import type { LabelValue, SeriesRecord } from '@metaseries/core';
import type { ModelBundle } from '../bundle/bundle.js';
import { FittedPreprocessing, type PreprocessingState } from '../preprocess/fitted-preprocessing.js';
import { modelOutputs } from './model-outputs.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Records per model call. Default: `256`. */
  batchSize?: number;
}

/** Defaults of {@link PredictOptions}. */
export const defaultPredictOptions: Required<PredictOptions> = { batchSize: 256 };

/** The prediction for one record. */
export interface Prediction {
  id: string;
  /** Probability of each class by name (classification); `null` for regression. */
  probabilities: Record<string, number> | null;
  /** Predicted class (multilabel: classes), or the predicted value (regression). */
  label: LabelValue;
  /** Attention weights `[heads][T]` over the series steps, for `attention` fusion models. */
  attention?: number[][];
}

const prepCache = new WeakMap<object, FittedPreprocessing>();

/** The fitted preprocessing of a bundle (parsed once per bundle). */
export function preprocessingOf(bundle: ModelBundle<object>): FittedPreprocessing {
  let p = prepCache.get(bundle.preprocessing);
  if (!p) {
    p = FittedPreprocessing.fromJSON(bundle.preprocessing as PreprocessingState);
    prepCache.set(bundle.preprocessing, p);
  }
  return p;
}

/**
 * Predicts `records` with exactly the preprocessing fitted at training: the same series scaling,
 * vocabularies (an unseen category goes to the unknown bucket), scalers and series length.
 * A record lacking a channel or a metadata field (the key absent; `null` is a missing value) is
 * refused with `PREDICT_MISSING_FIELD` naming the record and the field.
 */
export async function predict(bundle: ModelBundle<object>, records: readonly SeriesRecord[], options: PredictOptions = {}): Promise<Prediction[]> {
  const { batchSize } = { ...defaultPredictOptions, ...options };
  const prep = preprocessingOf(bundle);
  prep.checkRecords(records);
  const out = modelOutputs(bundle.model, prep, prep.alignRecords(records), batchSize);
  const K = out.width;
  const classes = prep.label.classes;
  const regression = prep.state.encoded.task === 'regression';
  return records.map((r, i) => {
    const row = out.predictions.subarray(i * K, (i + 1) * K);
    const pred: Prediction = {
      id: r.id,
      probabilities: regression ? null : Object.fromEntries(prep.label.probabilities(row).map((p, k) => [classes[k]!, p])),
      label: prep.label.decode(row),
    };
    if (out.attention) {
      const { heads, steps, data } = out.attention;
      pred.attention = Array.from({ length: heads }, (_, h) => Array.from(data.subarray((i * heads + h) * steps, (i * heads + h + 1) * steps)));
    }
    return pred;
  });
}
