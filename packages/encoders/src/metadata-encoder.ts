import {
  MetaseriesError,
  isMetaseriesError,
  type DatasetSchema,
  type SeriesRecord,
  type TensorDataMap,
  type Task,
  type MetadataKind,
  type ContextKind,
  type Rng,
  METADATA_KINDS,
  CONTEXT_KINDS,
} from '@metaseries/core';
import type { EncodedFieldInfo, EncodedInputSpec, EncodedSchema } from './encoded-schema.js';
import { defaultEmbeddingSize } from './embedding-size.js';
import {
  fitVocabulary,
  categoryKey,
  VocabularyLookup,
  MISSING_INDEX,
  type VocabularyOptions,
  type VocabularyState,
} from './preprocessors/categorical-vocabulary.js';
import {
  fitNumericScaler,
  applyNumericScaler,
  type NumericScalerOptions,
  type NumericScalerState,
} from './preprocessors/numeric-scaler.js';
import { hashTokens, defaultTextHashingOptions, type TextHashingOptions } from './preprocessors/text-hashing.js';

/** Options of {@link MetadataEncoder.fit}. */
export interface MetadataEncoderOptions {
  /** Embedding width per field name; overrides the schema's `embedding` and the default rule. Default: `{}`. */
  embedding?: Record<string, number>;
  /** Vocabulary settings for categorical, multi-categorical and context categorical fields. Default: `{ minFrequency: 1 }`. */
  vocabulary?: VocabularyOptions;
  /** Scaling of numeric fields (static and context). Default: z-score, clip ±5, missing indicator. */
  numeric?: NumericScalerOptions;
  /** Categorical fields with at most this many categories are one-hot encoded instead of embedded. Default: `0` (always embed). */
  oneHotMaxCategories?: number;
  /** Hashing of text fields. Default: 256 buckets, unigrams + bigrams. */
  text?: TextHashingOptions;
  /** How a multi-categorical field's tags are pooled: average or sum of their embeddings. Default: `'mean'`. */
  multiCategoricalPooling?: 'mean' | 'sum';
  /**
   * Settings for one field by name, merged over the package-wide ones above (for example
   * `{ income: { numeric: { scaling: 'robust', log1p: true } } }`). Default: `{}`.
   */
  fields?: Record<string, FieldEncoderOptions>;
}

/** Per-field overrides of {@link MetadataEncoderOptions}; each falls back to the package-wide setting. */
export interface FieldEncoderOptions {
  /** Vocabulary settings of a categorical, multi-categorical or context categorical field. Default: the `vocabulary` option. */
  vocabulary?: VocabularyOptions;
  /** Scaling of a numeric field (static or context). Default: the `numeric` option. */
  numeric?: NumericScalerOptions;
  /** Static categorical only: `true` one-hot, `false` embedding. Default: one-hot when the vocabulary has at most `oneHotMaxCategories` categories. */
  oneHot?: boolean;
  /** Multi-categorical only: pooling of the tags. Default: the `multiCategoricalPooling` option. */
  pooling?: 'mean' | 'sum';
  /** Text only: hashing settings. Default: the `text` option. */
  text?: TextHashingOptions;
}

/** Defaults of {@link MetadataEncoderOptions}. */
export const defaultMetadataEncoderOptions: Required<MetadataEncoderOptions> = {
  embedding: {},
  vocabulary: {},
  numeric: {},
  oneHotMaxCategories: 0,
  text: {},
  multiCategoricalPooling: 'mean',
  fields: {},
};

/** Options of {@link MetadataEncoder.transform}: the time layout of the context inputs, as in the data package's `batchSeries`. */
export interface TransformOptions {
  /** Length of the context inputs' time axis. Default: the longest record (at least 1). */
  timeSteps?: number;
  /** Where padding goes when a record is shorter than `timeSteps`. Default: `'end'`. */
  pad?: 'end' | 'start';
  /**
   * Which steps are dropped when a record is longer: `'end'` keeps the first `timeSteps` steps,
   * `'start'` the last (most recent) ones. Default: `'end'` — note that data's `batchSeries`
   * defaults to `'start'`: pass the same value to both.
   */
  truncate?: 'start' | 'end';
}

/** Defaults of {@link TransformOptions}. */
export const defaultTransformOptions: Required<Omit<TransformOptions, 'timeSteps'>> & Pick<TransformOptions, 'timeSteps'> = { pad: 'end', truncate: 'end' };

/** Index on the `T`-step axis of a record's step 0 (negative when its first steps are cut). */
function stepOffset(length: number, T: number, o: Required<Omit<TransformOptions, 'timeSteps'>>): number {
  if (length >= T) return o.truncate === 'start' ? -(length - T) : 0;
  return o.pad === 'end' ? 0 : T - length;
}

/** The fitted state of one field: plain JSON. */
export type FieldState =
  | { name: string; scope: 'static'; kind: 'categorical'; vocabulary: VocabularyState; embedding: number; oneHot: boolean }
  | { name: string; scope: 'static'; kind: 'numeric'; scaler: NumericScalerState }
  | { name: string; scope: 'static'; kind: 'boolean'; missingRate: number }
  | {
      name: string;
      scope: 'static';
      kind: 'multiCategorical';
      vocabulary: VocabularyState;
      embedding: number;
      separator: string;
      pooling: 'mean' | 'sum';
    }
  | { name: string; scope: 'static'; kind: 'text'; buckets: number; bigrams: boolean; embedding: number }
  | { name: string; scope: 'context'; kind: 'categorical'; vocabulary: VocabularyState; embedding: number }
  | { name: string; scope: 'context'; kind: 'numeric'; scaler: NumericScalerState }
  | { name: string; scope: 'context'; kind: 'boolean' };

/** What {@link MetadataEncoder.toJSON} returns. */
export interface MetadataEncoderState {
  format: 'metaseries.metadata-encoder';
  version: 1;
  fields: FieldState[];
}

/** `meta_<name>` / `ctx_<name>` with anything but letters, digits and `_` replaced by `_`. */
export function inputName(scope: 'static' | 'context', field: string): string {
  return `${scope === 'static' ? 'meta' : 'ctx'}_${field.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function splitTags(value: unknown, separator: string): unknown[] {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) return value;
  return String(value)
    .split(separator)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Input width (per record, or per step for context) of a field. */
function inputWidth(f: FieldState): number {
  switch (f.kind) {
    case 'categorical':
      return f.scope === 'static' && !f.oneHot ? 1 : new VocabularyLookup(f.vocabulary).size;
    case 'numeric':
      return f.scope === 'context' ? 2 : f.scaler.missingIndicator ? 2 : 1;
    case 'boolean':
      return 2;
    case 'multiCategorical':
      return new VocabularyLookup(f.vocabulary).size;
    case 'text':
      return f.buckets;
  }
}

/** Width of the vector the field's encoder layer outputs. */
function outputWidth(f: FieldState): number {
  switch (f.kind) {
    case 'categorical':
      return f.scope === 'static' && f.oneHot ? inputWidth(f) : f.embedding;
    case 'multiCategorical':
    case 'text':
      return f.embedding;
    default:
      return inputWidth(f);
  }
}

/**
 * Turns the metadata and context of records into model inputs, with every statistic
 * (vocabularies, scalers) fitted on training records only. Unknown categories map to the
 * unknown bucket and missing values to the missing bucket or a missing indicator: transform never
 * throws on a value training did not see.
 *
 * Inputs per field (see {@link MetadataEncoder.encodedSchema}):
 * - categorical: int32 `[1]` index (0 missing, 1 unknown, 2.. categories), or one-hot float when
 *   the field has at most `oneHotMaxCategories` categories;
 * - numeric: float `[2]` scaled value and missing indicator (`[1]` without the indicator);
 * - boolean: float `[2]` value (0/1) and missing indicator;
 * - multiCategorical: float `[V]` bag weights (1/n per present tag for `mean`, counts for `sum`);
 * - text: float `[buckets]` hashed unigram + bigram frequencies (a bag, averaged);
 * - context categorical: float `[T, V]` one-hot per step (missing → the missing bucket);
 * - context numeric / boolean: float `[T, 2]` scaled value and availability mask.
 */
export class MetadataEncoder {
  private readonly lookups = new Map<string, VocabularyLookup>();

  private constructor(readonly fields: FieldState[]) {
    for (const f of fields) if ('vocabulary' in f) this.lookups.set(f.name, new VocabularyLookup(f.vocabulary));
  }

  /** Fits every metadata and context field of `schema` on the training records. */
  static fit(schema: DatasetSchema, trainRecords: readonly SeriesRecord[], options: MetadataEncoderOptions = {}): MetadataEncoder {
    const o = { ...defaultMetadataEncoderOptions, ...options };
    const known = [...Object.keys(schema.metadata), ...Object.keys(schema.context)];
    for (const [option, names] of [
      ['embedding', Object.keys(o.embedding)],
      ['fields', Object.keys(o.fields)],
    ] as const) {
      for (const name of names) {
        if (!known.includes(name)) {
          throw new MetaseriesError('ENCODER_UNKNOWN_FIELD', `option ${option} names a field the schema does not have`, {
            field: `${option}.${name}`,
            value: name,
            expected: known.join(', ') || 'no fields',
          });
        }
      }
    }
    checkInputNames(schema);
    const fieldOptions = (name: string): FieldEncoderOptions => o.fields[name] ?? {};
    const vocabularyOf = (name: string): VocabularyOptions => ({ ...o.vocabulary, ...fieldOptions(name).vocabulary });
    const numericOf = (name: string): NumericScalerOptions => ({ ...o.numeric, ...fieldOptions(name).numeric });
    const widthOf = (name: string, schemaWidth: number | undefined, cardinality: number) => {
      const w = o.embedding[name] ?? schemaWidth ?? defaultEmbeddingSize(cardinality);
      if (!(Number.isInteger(w) && w >= 1)) {
        throw new MetaseriesError('ENCODER_BAD_OPTION', 'embedding width must be a positive integer', { field: `embedding.${name}`, value: w, expected: 'integer >= 1' });
      }
      return w;
    };
    const fields: FieldState[] = [];
    for (const [name, f] of Object.entries(schema.metadata)) {
      const values = trainRecords.map((r) => r.metadata?.[name]);
      switch (f.kind as MetadataKind) {
        case 'categorical': {
          // one category per record: an array here is a data error, reported with its record
          eachRecord(trainRecords, (r) => categoryKey(r.metadata?.[name], name));
          const vocabulary = fitVocabulary(values, vocabularyOf(name), name);
          const oneHot = fieldOptions(name).oneHot ?? vocabulary.categories.length <= o.oneHotMaxCategories;
          fields.push({ name, scope: 'static', kind: 'categorical', vocabulary, oneHot, embedding: widthOf(name, f.embedding, vocabulary.categories.length + 2) });
          break;
        }
        case 'numeric':
          fields.push({ name, scope: 'static', kind: 'numeric', scaler: fitNumericField(trainRecords, values, numericOf(name), name) });
          break;
        case 'boolean': {
          const missing = values.filter((v) => v === null || v === undefined || v === '').length;
          fields.push({ name, scope: 'static', kind: 'boolean', missingRate: values.length ? missing / values.length : 0 });
          break;
        }
        case 'multiCategorical': {
          const separator = f.separator ?? '|';
          const vocabulary = fitVocabulary(values.map((v) => splitTags(v, separator)), vocabularyOf(name), name);
          fields.push({
            name,
            scope: 'static',
            kind: 'multiCategorical',
            vocabulary,
            separator,
            pooling: fieldOptions(name).pooling ?? o.multiCategoricalPooling,
            embedding: widthOf(name, f.embedding, vocabulary.categories.length + 2),
          });
          break;
        }
        case 'text': {
          const h = { ...defaultTextHashingOptions, ...o.text, ...fieldOptions(name).text };
          if (!(Number.isInteger(h.buckets) && h.buckets >= 1)) {
            throw new MetaseriesError('ENCODER_BAD_OPTION', 'text buckets must be a positive integer', { field: `text.buckets`, value: h.buckets, expected: 'integer >= 1' });
          }
          fields.push({ name, scope: 'static', kind: 'text', buckets: h.buckets, bigrams: h.bigrams, embedding: widthOf(name, f.embedding, h.buckets) });
          break;
        }
      }
    }
    for (const [name, f] of Object.entries(schema.context)) {
      const values = trainRecords.flatMap((r) => (r.alignedContext?.values[name] ?? r.context?.values[name] ?? []) as unknown[]);
      switch (f.kind as ContextKind) {
        case 'categorical': {
          const vocabulary = fitVocabulary(values, vocabularyOf(name), name);
          fields.push({ name, scope: 'context', kind: 'categorical', vocabulary, embedding: widthOf(name, undefined, vocabulary.categories.length + 2) });
          break;
        }
        case 'numeric':
          fields.push({ name, scope: 'context', kind: 'numeric', scaler: fitNumericField(trainRecords, values, { ...numericOf(name), missingIndicator: true }, name) });
          break;
        case 'boolean':
          fields.push({ name, scope: 'context', kind: 'boolean' });
          break;
      }
    }
    return new MetadataEncoder(fields);
  }

  /** Restores an encoder from {@link MetadataEncoder.toJSON}; checks it against `schema` when given. */
  static fromJSON(state: MetadataEncoderState, schema?: DatasetSchema): MetadataEncoder {
    if (!state || state.format !== 'metaseries.metadata-encoder' || !Array.isArray(state.fields)) {
      throw new MetaseriesError('ENCODER_STATE_INVALID', 'not a metadata encoder state', { value: (state as { format?: unknown })?.format, expected: 'metaseries.metadata-encoder' });
    }
    if (state.version !== 1) {
      throw new MetaseriesError('ENCODER_STATE_INVALID', 'unsupported metadata encoder state version', { field: 'version', value: state.version, expected: '1' });
    }
    state.fields.forEach(checkFieldState);
    if (schema) {
      const want = [
        ...Object.entries(schema.metadata).map(([n, f]) => `static:${n}:${f.kind}`),
        ...Object.entries(schema.context).map(([n, f]) => `context:${n}:${f.kind}`),
      ];
      const have = state.fields.map((f) => `${f.scope}:${f.name}:${f.kind}`);
      const missing = want.filter((w) => !have.includes(w));
      const extra = have.filter((h) => !want.includes(h));
      if (missing.length || extra.length) {
        throw new MetaseriesError('ENCODER_STATE_MISMATCH', 'the encoder state was fitted on another schema', {
          field: (missing[0] ?? extra[0])!.split(':')[1],
          value: extra.join(', ') || 'nothing',
          expected: missing.join(', ') || 'nothing more',
        });
      }
    }
    return new MetadataEncoder(state.fields);
  }

  /** Plain JSON state, for a model bundle. */
  toJSON(): MetadataEncoderState {
    return { format: 'metaseries.metadata-encoder', version: 1, fields: this.fields };
  }

  /** Per-field sizes, for fusion layers and the ablation report. */
  fieldInfo(): EncodedFieldInfo[] {
    return this.fields.map((f) => ({
      name: f.name,
      kind: f.kind,
      scope: f.scope,
      width: outputWidth(f),
      inputs: [inputName(f.scope, f.name)],
      ...('vocabulary' in f ? { cardinality: this.lookups.get(f.name)!.size } : {}),
    }));
  }

  /** The layout of every model input: series and mask first, then one input per field. */
  encodedSchema(layout: { channels: number; timeSteps: number | null; task: Task; outputs: number }): EncodedSchema {
    const inputs: EncodedInputSpec[] = [
      { name: 'series', shape: [layout.timeSteps, layout.channels], dtype: 'float32', role: 'series' },
      { name: 'mask', shape: [layout.timeSteps], dtype: 'float32', role: 'mask' },
    ];
    for (const f of this.fields) {
      const w = inputWidth(f);
      if (f.scope === 'static') {
        const intIndex = f.kind === 'categorical' && !f.oneHot;
        inputs.push({ name: inputName('static', f.name), shape: [w], dtype: intIndex ? 'int32' : 'float32', role: 'metadata', field: f.name });
      } else {
        inputs.push({ name: inputName('context', f.name), shape: [layout.timeSteps, w], dtype: 'float32', role: 'context', field: f.name });
      }
    }
    const info = this.fieldInfo();
    return {
      channels: layout.channels,
      timeSteps: layout.timeSteps,
      inputs,
      fields: info,
      metadataWidth: info.filter((f) => f.scope === 'static').reduce((a, f) => a + f.width, 0),
      contextWidth: info.filter((f) => f.scope === 'context').reduce((a, f) => a + f.width, 0),
      task: layout.task,
      outputs: layout.outputs,
    };
  }

  /**
   * Encodes the metadata and context of `records` (series and mask come from the data
   * package's `batchSeries`; pass it the same `timeSteps`, `pad` and `truncate` so that the
   * context steps line up with the series steps). Context must already be aligned to each
   * record's steps (`record.alignedContext`). Returns one entry per field, keyed by its input
   * name (`meta_<field>`, `ctx_<field>`).
   */
  transform(records: readonly SeriesRecord[], options: TransformOptions = {}): TensorDataMap {
    const o = { ...defaultTransformOptions, ...options };
    const B = records.length;
    const out: TensorDataMap = {};
    const T = o.timeSteps ?? Math.max(1, ...records.map((r) => r.values[0]?.length ?? 0));
    for (const f of this.fields) {
      const name = inputName(f.scope, f.name);
      const w = inputWidth(f);
      if (f.scope === 'static') {
        if (f.kind === 'categorical' && !f.oneHot) {
          const data = new Int32Array(B);
          const lookup = this.lookups.get(f.name)!;
          eachRecord(records, (r, i) => (data[i] = lookup.indexOf(r.metadata?.[f.name], f.name)));
          out[name] = { dtype: 'int32', shape: [B, 1], data };
          continue;
        }
        const data = new Float32Array(B * w);
        eachRecord(records, (r, i) => this.encodeStatic(f, r.metadata?.[f.name], data, i * w));
        out[name] = { dtype: 'float32', shape: [B, w], data };
      } else {
        const data = new Float32Array(B * T * w);
        eachRecord(records, (r, i) => {
          const aligned = r.alignedContext;
          if (!aligned) {
            throw new MetaseriesError('ENCODER_CONTEXT_NOT_ALIGNED', 'context must be aligned to the series before encoding (alignDatasetContext in @metaseries/data)', {
              recordId: r.id,
              field: f.name,
            });
          }
          const values = aligned.values[f.name] ?? [];
          const mask = aligned.mask[f.name];
          const off = stepOffset(r.values[0]?.length ?? values.length, T, o);
          for (let s = Math.max(0, -off); s < values.length && s + off < T; s++) {
            const t = s + off;
            const present = mask ? mask[s] === 1 : values[s] !== null && values[s] !== undefined;
            this.encodeContextStep(f, present ? values[s] : null, data, (i * T + t) * w);
          }
        });
        out[name] = { dtype: 'float32', shape: [B, T, w], data };
      }
    }
    return out;
  }

  private encodeStatic(f: FieldState, value: unknown, out: Float32Array, at: number): void {
    switch (f.kind) {
      case 'categorical':
        out[at + this.lookups.get(f.name)!.indexOf(value, f.name)] = 1;
        return;
      case 'numeric': {
        const s = applyNumericScaler(f.scaler, value, f.name);
        out[at] = s ?? 0;
        if (f.scaler.missingIndicator) out[at + 1] = s === undefined ? 1 : 0;
        return;
      }
      case 'boolean': {
        const b = booleanValue(value);
        out[at] = b === true ? 1 : 0;
        out[at + 1] = b === undefined ? 1 : 0;
        return;
      }
      case 'multiCategorical': {
        const tags = splitTags(value, f.separator);
        const lookup = this.lookups.get(f.name)!;
        if (tags.length === 0) {
          out[at + MISSING_INDEX] = 1;
          return;
        }
        for (const t of tags) out[at + lookup.indexOf(t, f.name)]! += f.pooling === 'mean' ? 1 / tags.length : 1;
        return;
      }
      case 'text': {
        const ids = hashTokens(textOf(value), { buckets: f.buckets, bigrams: f.bigrams });
        for (const id of ids) out[at + id]! += 1 / ids.length;
        return;
      }
    }
  }

  private encodeContextStep(f: FieldState, value: unknown, out: Float32Array, at: number): void {
    switch (f.kind) {
      case 'categorical':
        out[at + this.lookups.get(f.name)!.indexOf(value, f.name)] = 1;
        return;
      case 'numeric': {
        const s = applyNumericScaler(f.scaler, value, f.name);
        out[at] = s ?? 0;
        out[at + 1] = s === undefined ? 0 : 1;
        return;
      }
      case 'boolean': {
        const b = booleanValue(value);
        out[at] = b === true ? 1 : 0;
        out[at + 1] = b === undefined ? 0 : 1;
        return;
      }
      default:
        return;
    }
  }

  /**
   * A copy of `batch` in which the field's rows are shuffled across records (permutation
   * importance): the field's link to the label is broken, its distribution kept.
   */
  permuteField(batch: TensorDataMap, field: string, rng: Rng): TensorDataMap {
    const f = this.fields.find((x) => x.name === field);
    if (!f) throw new MetaseriesError('ENCODER_UNKNOWN_FIELD', 'no such metadata or context field', { field, expected: this.fields.map((x) => x.name).join(', ') });
    const name = inputName(f.scope, f.name);
    const src = batch[name]!;
    const B = src.shape[0]!;
    const row = src.data.length / Math.max(1, B);
    const order = rng.shuffle([...Array(B).keys()]);
    const data = new (src.data.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(src.data.length);
    order.forEach((from, to) => data.set(src.data.subarray(from * row, (from + 1) * row), to * row));
    return { ...batch, [name]: { ...src, data } };
  }
}

/** Refuses a field state that is damaged (edited by hand, truncated) before it is used. */
function checkFieldState(state: unknown, i: number): void {
  const f = (state ?? {}) as { name?: unknown; scope?: unknown; kind?: unknown; embedding?: unknown; buckets?: unknown; vocabulary?: { categories?: unknown }; scaler?: { center?: unknown; scale?: unknown } };
  const bad = (what: string, value: unknown, expected: string): never => {
    throw new MetaseriesError('ENCODER_STATE_INVALID', `metadata encoder state: field ${i} has ${what}`, { field: `fields[${i}]${typeof f.name === 'string' ? ` (${f.name})` : ''}`, value, expected });
  };
  if (typeof f.name !== 'string') bad('no name', state, '{ name, scope, kind, ... }');
  if (f.scope !== 'static' && f.scope !== 'context') bad('an unknown scope', f.scope, 'static | context');
  const kinds: readonly unknown[] = f.scope === 'static' ? METADATA_KINDS : CONTEXT_KINDS;
  if (!kinds.includes(f.kind)) bad('an unknown kind', f.kind, kinds.join(' | '));
  if (f.kind === 'categorical' || f.kind === 'multiCategorical') {
    const c = f.vocabulary?.categories;
    if (!Array.isArray(c) || !c.every((x) => typeof x === 'string')) bad('no vocabulary', f.vocabulary, '{ categories: string[], counts: number[] }');
  }
  if ('embedding' in f && !(Number.isInteger(f.embedding) && (f.embedding as number) >= 1)) bad('a bad embedding width', f.embedding, 'integer >= 1');
  if (f.kind === 'numeric' && !(Number.isFinite(f.scaler?.center) && (f.scaler?.scale as number) > 0)) bad('no numeric scaler', f.scaler, '{ center, scale > 0, ... }');
  if (f.kind === 'text' && !(Number.isInteger(f.buckets) && (f.buckets as number) >= 1)) bad('bad text buckets', f.buckets, 'integer >= 1');
}

/** Fits a numeric scaler; a value that is not a number is reported with the record holding it. */
function fitNumericField(records: readonly SeriesRecord[], values: unknown[], options: NumericScalerOptions, name: string): NumericScalerState {
  try {
    return fitNumericScaler(values, options, name);
  } catch (e) {
    if (isMetaseriesError(e, 'ENCODER_BAD_VALUE') && e.details.recordId === undefined) {
      const bad = records.find((r) => r.metadata?.[name] === e.details.value || (r.alignedContext?.values[name] ?? r.context?.values[name])?.includes(e.details.value as never));
      if (bad) e.details.recordId = bad.id;
    }
    throw e;
  }
}

/** The text of a text field's value: numbers and flags as text, an array's items joined by spaces, missing as `''`. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(textOf).join(' ');
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** Calls `fn` on each record; a `MetaseriesError` it throws gets the record's id (one try for the whole loop). */
function eachRecord(records: readonly SeriesRecord[], fn: (r: SeriesRecord, i: number) => void): void {
  let i = 0;
  try {
    for (; i < records.length; i++) fn(records[i]!, i);
  } catch (e) {
    if (isMetaseriesError(e) && records[i]) e.details.recordId ??= records[i]!.id;
    throw e;
  }
}

/** Refuses two fields whose sanitised input names collide (`a-b` and `a_b` both give `a_b`). */
function checkInputNames(schema: DatasetSchema): void {
  const seen = new Map<string, string>();
  const all = [...Object.keys(schema.metadata), ...Object.keys(schema.context)];
  for (const name of all) {
    const key = inputName('static', name).slice('meta_'.length);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new MetaseriesError('ENCODER_NAME_COLLISION', `fields "${other}" and "${name}" give the same model input and layer name (${key}); rename one`, {
        field: name,
        value: key,
        expected: 'field names that differ in letters, digits or _',
      });
    }
    seen.set(key, name);
  }
}

/** Text that means true or false in a boolean field (case-insensitive); anything else is missing. */
function booleanValue(value: unknown): boolean | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value !== 0;
  const s = String(value).trim().toLowerCase();
  if (['true', 'yes', 'y', '1', 't'].includes(s)) return true;
  if (['false', 'no', 'n', '0', 'f'].includes(s)) return false;
  return undefined;
}
