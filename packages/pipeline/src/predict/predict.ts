import type { LabelValue, SeriesRecord } from '@metaseries/core';
import type { ModelBundle } from '../bundle/bundle.js';
import { FittedPreprocessing, type PreprocessingState } from '../preprocess/fitted-preprocessing.js';
import { modelOutputs, type ModelOutputs } from './model-outputs.js';
import { onnxModelOutputs } from './onnx-model-outputs.js';
import { dropOnnxPredictor, onnxPredictorFor, type PredictorKind } from './onnx-predictor.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Records per model call. Default: `256`. */
  batchSize?: number;
  /**
   * What runs the model: `'onnx'` — onnxruntime-node on the bundle's `model.onnx` (or the model
   * exported on first use with fusion's `exportOnnx`; throws `PREDICT_ONNX_UNAVAILABLE` without
   * the runtime, `ONNX_UNSUPPORTED_LAYER` for a model that cannot be exported exactly);
   * `'tfjs'` — the tfjs model on the current backend; `'auto'` — onnxruntime when it is
   * installed and runs the model, tfjs otherwise. Both give the same predictions to 1e-5.
   * Default: `'auto'`.
   */
  predictor?: PredictorKind;
}

/** Defaults of {@link PredictOptions}. */
export const defaultPredictOptions: Required<PredictOptions> = { batchSize: 256, predictor: 'auto' };

/** Runs the bundle's model on `records` with the chosen engine (see {@link PredictOptions.predictor}). */
async function runModel(bundle: ModelBundle<object>, prep: FittedPreprocessing, records: readonly SeriesRecord[], batchSize: number, predictor: PredictorKind): Promise<ModelOutputs> {
  if (predictor !== 'tfjs') {
    const onnx = await onnxPredictorFor(bundle.model, bundle.onnx, predictor);
    if (onnx) {
      try {
        return await onnxModelOutputs(onnx, prep, records, batchSize);
      } catch (e) {
        if (predictor === 'onnx') throw e;
        // 'auto': a runtime that loads but cannot run here is not used again for this model
        dropOnnxPredictor(bundle.model);
      }
    }
  }
  return modelOutputs(bundle.model, prep, records, batchSize);
}

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
  const { batchSize, predictor } = { ...defaultPredictOptions, ...options };
  const prep = preprocessingOf(bundle);
  prep.checkRecords(records);
  const out = await runModel(bundle, prep, prep.alignRecords(records), batchSize, predictor);
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
