import { MetaseriesError, type Dataset, type DatasetSchema, type MetadataValue, type SeriesRecord } from '@metaseries/core';

/** One problem found by {@link checkDataset}: a code, a message and where. */
export interface DatasetProblem {
  code: string;
  message: string;
  file?: string;
  line?: number;
  recordId?: string;
  field?: string;
  value?: unknown;
  expected?: string;
}

/** Options of {@link checkDataset} / {@link validateDataset}. */
export interface ValidateDatasetOptions {
  /** File and line of each record (from `loadDataset`'s `origins`), added to each problem. Default: none. */
  origins?: Map<string, { file: string; line: number }>;
  /** Stop after this many errors. Default: `100`. */
  maxErrors?: number;
}

/** Defaults of {@link ValidateDatasetOptions}. */
export const defaultValidateDatasetOptions = { maxErrors: 100 } as const;

function show(v: unknown): string {
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  return JSON.stringify(v) ?? String(v);
}

function metadataFits(kind: string, v: MetadataValue): boolean {
  if (v === null) return true;
  switch (kind) {
    case 'numeric':
      return typeof v === 'number' && !Number.isNaN(v) ? Number.isFinite(v) : typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'multiCategorical':
      return (Array.isArray(v) && v.every((t) => typeof t === 'string')) || typeof v === 'string';
    default:
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  }
}

/**
 * Checks records against a schema and returns every error (fatal) and warning, each with a code,
 * the record, the field, the value seen and the value expected. Errors: `SCHEMA_UNKNOWN_FIELD`,
 * `SCHEMA_CHANNEL_COUNT`, `SCHEMA_LENGTH_MISMATCH`, `SCHEMA_UNORDERED_TIMES`, `SCHEMA_BAD_VALUE`,
 * `SCHEMA_BAD_LABEL`, `SCHEMA_UNKNOWN_CLASS`, `SCHEMA_DUPLICATE_ID`. Warnings: `SCHEMA_NO_LABEL`.
 */
export function checkDataset(dataset: Dataset | { schema: DatasetSchema; records: SeriesRecord[] }, options: ValidateDatasetOptions = {}): { errors: DatasetProblem[]; warnings: DatasetProblem[] } {
  const { schema, records } = dataset;
  const maxErrors = options.maxErrors ?? defaultValidateDatasetOptions.maxErrors;
  const errors: DatasetProblem[] = [];
  const warnings: DatasetProblem[] = [];
  const seen = new Set<string>();
  const classes = schema.label.classes ? new Set(schema.label.classes) : undefined;
  const err = (p: DatasetProblem) => {
    const o = p.recordId !== undefined ? options.origins?.get(p.recordId) : undefined;
    errors.push({ ...o, ...p });
  };
  for (const r of records) {
    if (errors.length >= maxErrors) break;
    const recordId = r.id;
    if (seen.has(r.id)) err({ code: 'SCHEMA_DUPLICATE_ID', message: 'two records have the same id', recordId, field: 'id', value: r.id, expected: 'unique ids' });
    seen.add(r.id);
    if (r.values.length !== schema.channels.length) {
      err({ code: 'SCHEMA_CHANNEL_COUNT', message: 'a record has another number of channels than the schema', recordId, field: 'values', value: r.values.length, expected: `${schema.channels.length} (${schema.channels.join(', ')})` });
      continue;
    }
    const len = r.values[0]?.length ?? 0;
    r.values.forEach((v, k) => {
      if (v.length !== len) err({ code: 'SCHEMA_LENGTH_MISMATCH', message: 'the channels of a record have different lengths', recordId, field: schema.channels[k], value: v.length, expected: String(len) });
      for (let i = 0; i < v.length; i++) {
        if (v[i] === Infinity || v[i] === -Infinity) {
          err({ code: 'SCHEMA_BAD_VALUE', message: 'a series value is infinite', recordId, field: `${schema.channels[k]}[${i}]`, value: v[i], expected: 'a finite number or NaN (missing)' });
          break;
        }
      }
    });
    if (r.times) {
      if (r.times.length !== len) err({ code: 'SCHEMA_LENGTH_MISMATCH', message: 'a record has another number of times than steps', recordId, field: 'times', value: r.times.length, expected: String(len) });
      for (let i = 1; i < r.times.length; i++) {
        if (!(r.times[i]! > r.times[i - 1]!)) {
          err({ code: 'SCHEMA_UNORDERED_TIMES', message: 'series times must increase within a record', recordId, field: `times[${i}]`, value: r.times[i], expected: `> ${r.times[i - 1]}` });
          break;
        }
      }
    }
    for (const [f, v] of Object.entries(r.metadata)) {
      const def = schema.metadata[f];
      if (!def) err({ code: 'SCHEMA_UNKNOWN_FIELD', message: 'a record has a metadata field the schema does not declare', recordId, field: f, value: show(v), expected: Object.keys(schema.metadata).join(', ') || 'no metadata fields' });
      else if (!metadataFits(def.kind, v)) err({ code: 'SCHEMA_BAD_VALUE', message: `a ${def.kind} field holds a value of another kind`, recordId, field: f, value: show(v), expected: def.kind === 'numeric' ? 'a finite number or null' : `a ${def.kind} value or null` });
    }
    if (r.context) {
      for (const [f, vs] of Object.entries(r.context.values)) {
        const def = schema.context[f];
        if (!def) {
          err({ code: 'SCHEMA_UNKNOWN_FIELD', message: 'a record has a context field the schema does not declare', recordId, field: f, expected: Object.keys(schema.context).join(', ') || 'no context fields' });
          continue;
        }
        if (vs.length !== r.context.times.length) err({ code: 'SCHEMA_LENGTH_MISMATCH', message: 'a context field has another number of values than time stamps', recordId, field: f, value: vs.length, expected: String(r.context.times.length) });
        const bad = vs.findIndex((v) => v !== null && (def.kind === 'numeric' ? typeof v !== 'number' || !Number.isFinite(v) : def.kind === 'boolean' ? typeof v !== 'boolean' : typeof v === 'boolean'));
        if (bad >= 0) err({ code: 'SCHEMA_BAD_VALUE', message: `a ${def.kind} context field holds a value of another kind`, recordId, field: `${f}[${bad}]`, value: show(vs[bad]), expected: `a ${def.kind} value or null` });
      }
      for (let i = 1; i < r.context.times.length; i++) {
        if (r.context.times[i]! < r.context.times[i - 1]!) {
          err({ code: 'SCHEMA_UNORDERED_TIMES', message: 'context times must be sorted within a record', recordId, field: `context.times[${i}]`, value: r.context.times[i], expected: `>= ${r.context.times[i - 1]}` });
          break;
        }
      }
    }
    const l = r.label;
    if (l === undefined || l === null) {
      warnings.push({ code: 'SCHEMA_NO_LABEL', message: 'a record has no label', recordId, field: schema.label.name });
      continue;
    }
    if (schema.label.task === 'regression') {
      if (typeof l !== 'number' || !Number.isFinite(l)) err({ code: 'SCHEMA_BAD_LABEL', message: 'a regression label must be a finite number', recordId, field: schema.label.name, value: show(l), expected: 'a finite number' });
      continue;
    }
    if (typeof l === 'number' && !Number.isFinite(l)) {
      err({ code: 'SCHEMA_BAD_LABEL', message: 'a label is NaN or Infinity', recordId, field: schema.label.name, value: String(l), expected: 'a class name' });
      continue;
    }
    if (schema.label.task === 'multilabel' && !Array.isArray(l)) {
      err({ code: 'SCHEMA_BAD_LABEL', message: 'a multilabel label must be a list of class names', recordId, field: schema.label.name, value: show(l), expected: 'string[]' });
      continue;
    }
    if (classes) {
      for (const c of Array.isArray(l) ? l : [String(l)]) {
        if (!classes.has(c)) err({ code: 'SCHEMA_UNKNOWN_CLASS', message: 'a label is not one of the schema classes', recordId, field: schema.label.name, value: c, expected: [...classes].join(', ') });
      }
    }
  }
  for (const f of Object.keys(schema.metadata)) {
    if (records.length > 0 && records.every((r) => !(f in r.metadata))) warnings.push({ code: 'SCHEMA_FIELD_ABSENT', message: 'a schema field is absent from every record (all missing)', field: f });
  }
  return { errors, warnings };
}

/**
 * Validates records against a schema and throws the first error as a `MetaseriesError` (its code,
 * file and line when `origins` are given, record, field, value seen, value expected; `details.problems`
 * lists up to `maxErrors`). Returns the warnings when there is no error.
 */
export function validateDataset(dataset: Dataset | { schema: DatasetSchema; records: SeriesRecord[] }, options: ValidateDatasetOptions = {}): DatasetProblem[] {
  const { errors, warnings } = checkDataset(dataset, options);
  const first = errors[0];
  if (first) {
    const { code, message, ...where } = first;
    throw new MetaseriesError(code, errors.length > 1 ? `${message} (and ${errors.length - 1} more problems)` : message, {
      ...where,
      value: where.value,
      problems: errors.map((e) => ({ path: `${e.recordId ?? ''}${e.field ? `.${e.field}` : ''}`, message: `${e.code}: ${e.message}`, value: e.value, ...(e.expected ? { expected: e.expected } : {}) })),
    });
  }
  return warnings;
}
