import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError, TASKS, type Task } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { encodeInputs, modelInputs, type EncodedInputs } from './encoded-inputs.js';
import { Film } from './layers/film.js';
import { MaskedPooling } from './layers/masked-pooling.js';
import { MetadataAttentionPooling } from './layers/metadata-attention-pooling.js';
import { MetadataGate } from './layers/metadata-gate.js';
import { RepeatConcat } from './layers/repeat-concat.js';
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from './model-config.js';
import { SeedSequence } from './seed-sequence.js';
import { fcnEncoder } from './series-encoders/fcn-encoder.js';
import { minirocketEncoder } from './series-encoders/minirocket-encoder.js';
import { inceptionEncoder } from './series-encoders/inception-encoder.js';
import { readsStepContext, recurrentEncoder } from './series-encoders/recurrent-encoder.js';
import { resnetEncoder } from './series-encoders/resnet-encoder.js';
import { applyLayer, type SeriesEncoderInput } from './series-encoders/series-encoder.js';
import { transformerEncoder } from './series-encoders/transformer-encoder.js';

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  /** Seed of every weight initialiser and dropout mask. Default: `42`. */
  seed?: number;
  /** Adam's learning rate. Default: `0.001`. */
  learningRate?: number;
}

/** Defaults of {@link BuildModelOptions}. */
export const defaultBuildModelOptions: Required<BuildModelOptions> = { seed: 42, learningRate: 0.001 };

/** Name of the model output holding the predictions of a classification task. */
export const PROBABILITIES_OUTPUT = 'probabilities';
/** Name of the model output holding the predictions of a regression task. */
export const PREDICTION_OUTPUT = 'prediction';
/** Name of the second output of an `attention` model: the weights `[B, heads, T]`. */
export const ATTENTION_OUTPUT = 'attention';

/** Loss of the `attention` output and of an ensemble's averaged output: nothing to learn there, so always zero. */
function zeroLoss(_yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sum(yPred, yPred.shape.slice(1).map((_, i) => i + 1)), 0);
}

const LOSS: Record<Task, string> = {
  binary: 'binaryCrossentropy',
  multiclass: 'categoricalCrossentropy',
  multilabel: 'binaryCrossentropy',
  regression: 'meanSquaredError',
};

const ACTIVATION: Record<Task, 'sigmoid' | 'softmax' | 'linear'> = {
  binary: 'sigmoid',
  multiclass: 'softmax',
  multilabel: 'sigmoid',
  regression: 'linear',
};

function seriesEncoder(config: ModelConfig, input: SeriesEncoderInput): tfl.SymbolicTensor {
  switch (config.encoder) {
    case 'lstm':
    case 'gru':
      return recurrentEncoder(config.encoder, input);
    case 'fcn':
      return fcnEncoder(input);
    case 'resnet':
      return resnetEncoder(input);
    case 'inception':
      return inceptionEncoder(input);
    case 'transformer':
      return transformerEncoder(input);
    case 'minirocket':
      throw new Error('minirocket gives pooled features: buildMember reads it before the step encoders');
  }
}

function checkSchema(encoded: EncodedSchema): void {
  if (!TASKS.includes(encoded.task)) {
    throw new MetaseriesError('FUSION_INVALID_SCHEMA', `unknown task ${encoded.task}`, { field: 'task', value: encoded.task, expected: TASKS.join(' | ') });
  }
  if (!Number.isInteger(encoded.outputs) || encoded.outputs < 1) {
    throw new MetaseriesError('FUSION_INVALID_SCHEMA', 'outputs must be a positive integer', { field: 'outputs', value: encoded.outputs, expected: 'integer >= 1' });
  }
  if ((encoded.task === 'binary' || encoded.task === 'regression') && encoded.outputs !== 1) {
    throw new MetaseriesError('FUSION_INVALID_SCHEMA', `a ${encoded.task} task has one output`, { field: 'outputs', value: encoded.outputs, expected: '1' });
  }
}

/** The name of the prediction output for a task: `probabilities`, or `prediction` for regression. */
export function predictionOutputName(task: Task): string {
  return task === 'regression' ? PREDICTION_OUTPUT : PROBABILITIES_OUTPUT;
}

/**
 * Builds and compiles (Adam, the task's loss) a tfjs-layers model: the inputs of `encoded`, a
 * series encoder, a fusion strategy and a head.
 *
 * - Inputs: one per `encoded.inputs` entry, named as there, except those of `excludeFields` (and
 *   the static metadata inputs for fusion `none`); feed them by `model.inputNames`.
 * - Time-varying context `[B,T,K]` is concatenated to the series at every step, whatever the
 *   fusion (so `none` still sees context; only static metadata is what the strategies fuse).
 * - Outputs: `probabilities` (sigmoid for binary/multilabel, softmax for multiclass) or
 *   `prediction` (linear, regression); for `attention` a second output `attention`: the weights
 *   `[B, heads, T]`, 0 on padded steps, summing to 1 over the real ones. Train such a model with
 *   {@link trainingTargets}.
 * - `ensemble: N > 1`: N independently initialised members (metadata encoders, series encoder,
 *   fusion and head each; member 1 is the single model's network) read the same inputs. The
 *   prediction output is the mean of theirs (and `attention` the mean of their weights); each
 *   member's own prediction is an extra output `<prediction>_member_<m>` that the training loss
 *   reads ({@link lossOutputIndexes}): members learn independently, as in deep ensembles.
 *
 * Throws `FUSION_INVALID_CONFIG` (naming the key) for a bad config or a strategy that needs
 * static metadata the schema does not have, `FUSION_INVALID_SCHEMA` for a bad schema.
 */
export function buildModel(configInput: ModelConfigInput, encoded: EncodedSchema, options: BuildModelOptions = {}): tfl.LayersModel {
  const config = resolveModelConfig(configInput);
  const { seed, learningRate } = { ...defaultBuildModelOptions, ...options };
  checkSchema(encoded);
  // `none` reads no static metadata: its inputs are left out (a model input that reaches no
  // output would not survive save → load).
  const staticFields = encoded.fields.filter((f) => f.scope === 'static').map((f) => f.name);
  const exclude = config.fusion === 'none' ? [...config.excludeFields, ...staticFields] : config.excludeFields;
  const made = modelInputs(encoded, exclude);
  const outputName = predictionOutputName(encoded.task);
  const members = config.ensemble;

  const predictions: tfl.SymbolicTensor[] = [];
  const attentions: tfl.SymbolicTensor[] = [];
  for (let m = 0; m < members; m++) {
    // member 1 keeps the seeds (and names) of a single model; the others draw their own
    const memberSeed = seed + ENSEMBLE_SEED_STRIDE * m;
    const encodedMember = encodeInputs(encoded, made, exclude, memberSeed, members > 1 ? `m${m + 1}_` : '');
    const name = members > 1 ? ensembleMemberOutputName(outputName, m + 1) : outputName;
    const { prediction, attention } = buildMember(config, encoded, encodedMember, new SeedSequence(memberSeed), name);
    predictions.push(prediction);
    if (attention) attentions.push(attention);
  }
  const average = (xs: tfl.SymbolicTensor[], name: string) => applyLayer(tfl.layers.average({ name }), xs);
  const prediction = members > 1 ? average(predictions, outputName) : predictions[0]!;
  const attention =
    attentions.length === 0
      ? null
      : members > 1
        ? average(attentions, ATTENTION_OUTPUT)
        : applyLayer(tfl.layers.activation({ activation: 'linear', name: ATTENTION_OUTPUT }), attentions[0]!);

  const outputs = [prediction, ...(attention ? [attention] : []), ...(members > 1 ? predictions : [])];
  const model = tfl.model({ inputs: made.inputs, outputs, name: `metaseries_${config.encoder}_${config.fusion}${members > 1 ? `_x${members}` : ''}` });
  const loss = LOSS[encoded.task];
  const classification = encoded.task !== 'regression';
  // an ensemble trains each member on its own loss (independent members, as in deep ensembles);
  // the averaged output and the attention weights carry none
  const losses = model.outputNames.map((n) => (n === ATTENTION_OUTPUT || (members > 1 && n === outputName) ? zeroLoss : loss));
  model.compile({
    optimizer: tf.train.adam(learningRate),
    // tfjs-layers accepts names and functions mixed in one list; its typing does not.
    loss: losses.length > 1 ? (losses as unknown as string[]) : loss,
    metrics: classification ? (losses.length > 1 ? { [outputName]: 'accuracy' } : ['accuracy']) : undefined,
  });
  return model;
}

/** Seeds of ensemble member m (0-based) start `m` strides above the model's seed. */
const ENSEMBLE_SEED_STRIDE = 100_003;

/** Name of the output of ensemble member `m` (1-based), e.g. `probabilities_member_2`. */
export function ensembleMemberOutputName(outputName: string, m: number): string {
  return `${memberOutputPrefix(outputName)}${m}`;
}

const memberOutputPrefix = (outputName: string) => `${outputName}_member_`;

/**
 * Indices (into `model.outputNames`) of the outputs a training loss reads: each member's
 * prediction for an ensemble (their losses are averaged), else the prediction output itself.
 */
export function lossOutputIndexes(model: tfl.LayersModel, outputName: string): number[] {
  const prefix = memberOutputPrefix(outputName);
  const members = model.outputNames.flatMap((n, i) => (n.startsWith(prefix) ? [i] : []));
  if (members.length) return members;
  const i = model.outputNames.indexOf(outputName);
  return i < 0 ? [] : [i];
}

/** One network from the encoded inputs to a prediction: series encoder, fusion, head. */
function buildMember(config: ModelConfig, encoded: EncodedSchema, encodedMember: EncodedInputs, seeds: SeedSequence, predictionName: string): { prediction: tfl.SymbolicTensor; attention: tfl.SymbolicTensor | null } {
  const { series, mask, metadata, context } = encodedMember;
  if (config.fusion !== 'none' && metadata === null) {
    throw new MetaseriesError(
      'FUSION_INVALID_CONFIG',
      `model config: fusion '${config.fusion}' needs at least one static metadata field, and the schema has none${config.excludeFields.length ? ' once excludeFields are left out' : ''}; use fusion 'none'`,
      { field: 'fusion', value: config.fusion, expected: 'none' },
    );
  }

  let steps = context ? applyLayer(tfl.layers.concatenate({ axis: -1 }), [series, context]) : series;
  // early fusion: the metadata repeated over time and concatenated to every step, or read by the
  // encoder's first layer at every step where it can (the same maths without the [B,T,D] copy)
  const stepContext = config.fusion === 'early' && metadata && readsStepContext(config) ? metadata : null;
  if (config.fusion === 'early' && metadata && !stepContext) steps = applyLayer(new RepeatConcat(), [steps, metadata]);
  const pooledOnly = config.encoder === 'minirocket' ? minirocketEncoder({ steps, mask, config, timeSteps: encoded.timeSteps, seeds }) : null;
  const features = pooledOnly ?? seriesEncoder(config, { steps, mask, config, timeSteps: encoded.timeSteps, seeds, stepContext });

  let attention: tfl.SymbolicTensor | null = null;
  let fused: tfl.SymbolicTensor;
  if (config.fusion === 'attention' && metadata && !pooledOnly) {
    const [summary, weights] = new MetadataAttentionPooling({ ...config.attention, seed: seeds.next() }).apply([features, metadata, mask]) as tfl.SymbolicTensor[];
    fused = summary;
    attention = weights;
  } else {
    const recurrent = config.encoder === 'lstm' || config.encoder === 'gru';
    const mode = config.pooling === 'auto' ? (recurrent && !config.recurrent.bidirectional ? 'last' : 'mean') : config.pooling;
    const pooled = pooledOnly ?? applyLayer(new MaskedPooling({ mode }), [features, mask]);
    if (config.fusion === 'late' && metadata) {
      let m = metadata;
      for (const units of config.metadataUnits) {
        m = applyLayer(tfl.layers.dense({ units, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }) }), m);
      }
      fused = applyLayer(tfl.layers.concatenate({ axis: -1 }), [pooled, m]);
    } else if (config.fusion === 'film' && metadata) {
      fused = applyLayer(new Film(), [pooled, metadata]);
    } else if (config.fusion === 'gated' && metadata) {
      fused = applyLayer(new MetadataGate({ seed: seeds.next() }), [pooled, metadata]);
    } else {
      fused = pooled;
    }
  }

  let h = fused;
  if (config.headUnits > 0) {
    if (config.dropout > 0) h = applyLayer(tfl.layers.dropout({ rate: config.dropout, seed: seeds.next() }), h);
    h = applyLayer(tfl.layers.dense({ units: config.headUnits, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }) }), h);
  }
  if (config.dropout > 0) h = applyLayer(tfl.layers.dropout({ rate: config.dropout, seed: seeds.next() }), h);
  const prediction = applyLayer(
    tfl.layers.dense({
      units: encoded.outputs,
      activation: ACTIVATION[encoded.task],
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
      name: predictionName,
    }),
    h,
  );
  return { prediction, attention };
}

/**
 * The targets `model.fit` needs for a model built by {@link buildModel}: `y` itself, or for an
 * `attention` model `[y, zeros [B, heads, T]]` (the attention output has a zero loss; tfjs-layers
 * still wants a target for it). The caller disposes what it gets back except `y`.
 */
export function trainingTargets(model: tfl.LayersModel, y: tf.Tensor, timeSteps: number): tf.Tensor | tf.Tensor[] {
  if (!model.outputNames.includes(ATTENTION_OUTPUT)) return y;
  const shape = model.getLayer(ATTENTION_OUTPUT).outputShape as number[];
  return model.outputNames.map((name) => (name === ATTENTION_OUTPUT ? tf.zeros([y.shape[0], shape[1], timeSteps]) : y));
}
