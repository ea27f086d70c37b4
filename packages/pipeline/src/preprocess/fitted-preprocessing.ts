import { MetaseriesError, type Dataset, type DatasetSchema, type Rng, type SeriesRecord, type TensorData, type TensorDataMap } from '@metaseries/core';
import { alignDatasetContext, applyNormaliser, asTrainIndices, augmentRecords, batchSeries, fitNormaliser, type AugmentOptions, type NormaliserState } from '@metaseries/data';
import { LabelEncoder, MetadataEncoder, type EncodedSchema, type LabelEncoderState, type MetadataEncoderState } from '@metaseries/encoders';
import { predictionOutputName, type ModelConfigInput } from '@metaseries/fusion';
import type { ModelSectionConfig, NormaliseConfig } from '../config/run-config.js';

/**
 * Everything fitted on the training split that turns records into model inputs and outputs
 * back into labels — `preprocessing.json` of a bundle. Plain JSON.
 */
export interface PreprocessingState {
  format: 'metaseries.preprocessing';
  version: 1;
  /** The dataset schema the model was trained on. */
  schema: DatasetSchema;
  /** Series normaliser (data's `fitNormaliser` state, fitted on the training split). */
  normaliser: NormaliserState;
  /** Metadata and context encoders (vocabularies with unknown bucket, scalers, hashing). */
  metadata: MetadataEncoderState;
  /** Classes (or regression scaling) of the label. */
  label: LabelEncoderState;
  /** Layout of the model inputs. */
  encoded: EncodedSchema;
  /** Fusion's model config the model was built from. */
  model: ModelConfigInput;
  /** Series length of the model inputs (padding / truncation). */
  timeSteps: number;
  /** Name of the model output holding predictions. */
  outputName: string;
  /** Softmax/sigmoid temperature applied at prediction (1 = none; set by calibration). */
  temperature: number;
}

/** Maps the run config's `model` section onto fusion's `ModelConfig`. */
export function toModelConfig(m: ModelSectionConfig, excludeFields: string[] = []): ModelConfigInput {
  return {
    encoder: m.encoder,
    fusion: m.fusion,
    recurrent: { units: Array.from({ length: m.layers }, () => m.units), bidirectional: false },
    transformer: { dModel: m.units, heads: m.heads, layers: m.layers },
    attention: { heads: m.heads },
    minirocket: { numFeatures: m.features },
    headUnits: m.headUnits,
    dropout: m.dropout,
    batchNormMomentum: m.batchNormMomentum,
    ensemble: m.ensemble,
    excludeFields,
  };
}

/** The fitted preprocessing as an object: encodes records for the model and decodes its outputs. */
export class FittedPreprocessing {
  readonly metadata: MetadataEncoder;
  readonly label: LabelEncoder;

  private constructor(readonly state: PreprocessingState) {
    this.metadata = MetadataEncoder.fromJSON(state.metadata, state.schema);
    this.label = LabelEncoder.fromJSON(state.label);
  }

  /**
   * Fits the series normaliser, metadata/context encoders and the label encoder on the records
   * of `dataset` at `trainIndices` only (nothing from validation or test leaks into them).
   * Records must have their context aligned (see {@link alignRecords}).
   */
  static fit(
    dataset: Dataset,
    trainIndices: readonly number[],
    model: ModelSectionConfig,
    options: { excludeFields?: string[]; normalise?: NormaliseConfig } = {},
  ): FittedPreprocessing {
    const { schema } = dataset;
    const train = trainIndices.map((i) => dataset.records[i]!);
    const normaliser = fitNormaliser(dataset.records, asTrainIndices(trainIndices), options.normalise ?? { method: 'zscore', scope: 'channel' });
    const metadata = MetadataEncoder.fit(schema, train, { embedding: model.embedding });
    const label = LabelEncoder.fit(schema.label, train.map((r) => r.label ?? null));
    const timeSteps = model.timeSteps ?? Math.max(0, ...train.map((r) => r.values[0]?.length ?? 0));
    if (timeSteps < 1) throw new MetaseriesError('PIPELINE_EMPTY_SERIES', 'the training series have no steps', { field: 'model.timeSteps', value: timeSteps });
    const encoded = metadata.encodedSchema({ channels: schema.channels.length, timeSteps, task: schema.label.task, outputs: label.outputs });
    return new FittedPreprocessing({
      format: 'metaseries.preprocessing',
      version: 1,
      schema,
      normaliser,
      metadata: metadata.toJSON(),
      label: label.toJSON(),
      encoded,
      model: toModelConfig(model, options.excludeFields),
      timeSteps,
      outputName: predictionOutputName(schema.label.task),
      temperature: 1,
    });
  }

  /** Restores the preprocessing of a bundle. */
  static fromJSON(state: PreprocessingState): FittedPreprocessing {
    if (!state || state.format !== 'metaseries.preprocessing' || state.version !== 1) {
      throw new MetaseriesError('BUNDLE_FILE_INVALID', 'preprocessing.json is not a metaseries preprocessing state', { field: 'preprocessing.json', value: state?.format, expected: 'metaseries.preprocessing v1' });
    }
    return new FittedPreprocessing(state);
  }

  toJSON(): PreprocessingState {
    return this.state;
  }

  /**
   * Checks that every record has every channel and every metadata field of the schema (a value
   * of `null` is a missing value and is allowed; an absent key is an error). Throws
   * `PREDICT_MISSING_FIELD` naming the record and the field.
   */
  checkRecords(records: readonly SeriesRecord[]): void {
    const { schema } = this.state;
    for (const r of records) {
      if (!Array.isArray(r.values) || r.values.length < schema.channels.length) {
        const c = schema.channels[Array.isArray(r.values) ? r.values.length : 0];
        throw new MetaseriesError('PREDICT_MISSING_FIELD', `record ${r.id} lacks series channel ${c}`, { recordId: r.id, field: c, expected: schema.channels.join(', ') });
      }
      for (const f of Object.keys(schema.metadata)) {
        if (!r.metadata || !(f in r.metadata)) {
          throw new MetaseriesError('PREDICT_MISSING_FIELD', `record ${r.id} lacks metadata field ${f} (use null for a missing value)`, {
            recordId: r.id,
            field: f,
            expected: `a ${schema.metadata[f]!.kind} value or null`,
          });
        }
      }
    }
  }

  /**
   * Aligns the context of `records` onto their series steps (data's `alignDatasetContext`) when
   * the schema has context fields and a record is not aligned yet.
   */
  alignRecords(records: readonly SeriesRecord[]): readonly SeriesRecord[] {
    const { schema } = this.state;
    if (Object.keys(schema.context).length === 0 || records.every((r) => r.alignedContext)) return records;
    return alignDatasetContext({ schema, records: records.slice() }).records;
  }

  /**
   * Model inputs of `records` by input name: `series` and `mask` (normalised, padded at the end
   * or truncated to the fitted length by data's `batchSeries`), `meta_*`, `ctx_*`.
   */
  inputs(records: readonly SeriesRecord[], options: { augment?: AugmentOptions; rng?: Rng } = {}): TensorDataMap {
    const T = this.state.timeSteps;
    let normalised = applyNormaliser(this.state.normaliser, records);
    // Training-time augmentation acts on the normalised series (its amounts are in standard
    // deviations) and moves aligned context with the steps, so the encoders read the moved context.
    if (options.augment && options.rng) normalised = augmentRecords(normalised, options.augment, options.rng);
    // Keep the first T steps, as the encoders do for context, so series and context stay aligned.
    const { series, mask } = batchSeries(normalised, { timeSteps: T, truncate: 'end' });
    return { series, mask, ...this.metadata.transform(normalised, { timeSteps: T }) };
  }

  /** Training targets `[B, outputs]` of `records`. */
  targets(records: readonly SeriesRecord[]): TensorData {
    return this.label.transform(
      records.map((r) => r.label ?? null),
      records.map((r) => r.id),
    );
  }
}
