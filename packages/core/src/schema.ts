import { MetaseriesError } from './errors.js';

/** How a static metadata field is interpreted. */
export type MetadataKind = 'categorical' | 'numeric' | 'multiCategorical' | 'text' | 'boolean';
/** How a time-varying context field is interpreted. */
export type ContextKind = 'categorical' | 'numeric' | 'boolean';
/**
 * How a context value is carried onto the series' time grid.
 * - `asof`: the last context value stamped at or before the series point (within `tolerance`).
 * - `ffill`: like `asof` with no tolerance; values before the first context row are missing.
 * - `linear`: numeric interpolation between the surrounding context values (never extrapolated
 *   past the last observation: a value after the series point is only used once it is known —
 *   see the data package for the exact rule).
 * - `nearest`: the closest context value in time, either side (may look ahead: not leak-free).
 */
export type AlignMethod = 'asof' | 'ffill' | 'linear' | 'nearest';
/** What the label is. */
export type Task = 'binary' | 'multiclass' | 'multilabel' | 'regression';

export const METADATA_KINDS: readonly MetadataKind[] = ['categorical', 'numeric', 'multiCategorical', 'text', 'boolean'];
export const CONTEXT_KINDS: readonly ContextKind[] = ['categorical', 'numeric', 'boolean'];
export const ALIGN_METHODS: readonly AlignMethod[] = ['asof', 'ffill', 'linear', 'nearest'];
export const TASKS: readonly Task[] = ['binary', 'multiclass', 'multilabel', 'regression'];

/** One static metadata field. */
export interface MetadataFieldSchema {
  kind: MetadataKind;
  /** multiCategorical only: separator between tags in a text cell. Default: `'|'`. */
  separator?: string;
  /** Embedding width for categorical-like fields; omitted means the encoders' default rule. */
  embedding?: number;
}

/** One time-varying context field. */
export interface ContextFieldSchema {
  kind: ContextKind;
  /** Alignment onto the series grid. Default: `'asof'`. */
  align: AlignMethod;
  /**
   * Largest age, in the series' time unit (milliseconds for date-times, steps otherwise), of a
   * context value that may still be used. Default: `Infinity`.
   */
  tolerance?: number;
}

/** The label and its task. */
export interface LabelSchema {
  /** Column or key holding the label. */
  name: string;
  task: Task;
  /** Class names in model output order (classification). Fitted from data when omitted. */
  classes?: string[];
}

/** What a dataset holds; can be inferred from data, saved, edited and validated. */
export interface DatasetSchema {
  /** Schema format version. */
  version: 1;
  /** Names of the series channels, in order. */
  channels: string[];
  /** Static metadata fields by name, in order. */
  metadata: Record<string, MetadataFieldSchema>;
  /** Time-varying context fields by name, in order. */
  context: Record<string, ContextFieldSchema>;
  label: LabelSchema;
  /**
   * Optional grouping column (patient, engine, machine) used for group-aware splits. It need not
   * be a model input.
   */
  group?: string;
  /** Unit of series and context times. Default: `'step'` (plain numbers). */
  timeUnit?: 'ms' | 'step';
}

/** One problem found by {@link checkSchema}: a JSON path and what is wrong there. */
export interface SchemaProblem {
  path: string;
  message: string;
  value?: unknown;
  expected?: string;
}

const NAME_RE = /^[^\s]([^\n\r]*[^\s])?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: string[], path: string, out: SchemaProblem[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) out.push({ path: `${path}.${k}`, message: 'unknown key', value: k, expected: `one of ${allowed.join(', ')}` });
  }
}

/** Returns every problem in `value` as a dataset schema (empty when it is valid). */
export function checkSchema(value: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  if (!isObject(value)) return [{ path: '$', message: 'schema must be an object', value, expected: 'object' }];
  checkKeys(value, ['version', 'channels', 'metadata', 'context', 'label', 'group', 'timeUnit'], '$', out);
  if (value.version !== 1) out.push({ path: '$.version', message: 'unsupported schema version', value: value.version, expected: '1' });
  const names = new Map<string, string>();
  const claim = (name: string, path: string) => {
    const prev = names.get(name);
    if (prev) out.push({ path, message: `name "${name}" is already used at ${prev}`, value: name, expected: 'a unique name' });
    else names.set(name, path);
  };
  if (!Array.isArray(value.channels) || value.channels.length === 0) {
    out.push({ path: '$.channels', message: 'channels must be a non-empty array of names', value: value.channels, expected: 'string[]' });
  } else {
    value.channels.forEach((c, i) => {
      if (typeof c !== 'string' || !NAME_RE.test(c)) out.push({ path: `$.channels[${i}]`, message: 'channel name must be a non-empty string', value: c, expected: 'string' });
      else claim(c, `$.channels[${i}]`);
    });
  }
  if (value.metadata !== undefined && !isObject(value.metadata)) {
    out.push({ path: '$.metadata', message: 'metadata must be an object of fields', value: value.metadata, expected: '{ name: { kind } }' });
  } else {
    for (const [name, f] of Object.entries(value.metadata ?? {})) {
      const p = `$.metadata.${name}`;
      claim(name, p);
      if (!isObject(f)) {
        out.push({ path: p, message: 'field must be an object with a kind', value: f, expected: '{ kind }' });
        continue;
      }
      checkKeys(f, ['kind', 'separator', 'embedding'], p, out);
      if (!METADATA_KINDS.includes(f.kind as MetadataKind)) out.push({ path: `${p}.kind`, message: 'unknown metadata kind', value: f.kind, expected: METADATA_KINDS.join(' | ') });
      if (f.separator !== undefined && (typeof f.separator !== 'string' || f.separator.length === 0)) out.push({ path: `${p}.separator`, message: 'separator must be a non-empty string', value: f.separator, expected: 'string' });
      if (f.separator !== undefined && f.kind !== 'multiCategorical') out.push({ path: `${p}.separator`, message: 'separator applies to multiCategorical fields only', value: f.kind, expected: 'multiCategorical' });
      if (f.embedding !== undefined && !(Number.isInteger(f.embedding) && (f.embedding as number) >= 1)) out.push({ path: `${p}.embedding`, message: 'embedding must be a positive integer', value: f.embedding, expected: 'integer >= 1' });
    }
  }
  if (value.context !== undefined && !isObject(value.context)) {
    out.push({ path: '$.context', message: 'context must be an object of fields', value: value.context, expected: '{ name: { kind, align } }' });
  } else {
    for (const [name, f] of Object.entries(value.context ?? {})) {
      const p = `$.context.${name}`;
      claim(name, p);
      if (!isObject(f)) {
        out.push({ path: p, message: 'field must be an object with kind and align', value: f, expected: '{ kind, align }' });
        continue;
      }
      checkKeys(f, ['kind', 'align', 'tolerance'], p, out);
      if (!CONTEXT_KINDS.includes(f.kind as ContextKind)) out.push({ path: `${p}.kind`, message: 'unknown context kind', value: f.kind, expected: CONTEXT_KINDS.join(' | ') });
      if (!ALIGN_METHODS.includes(f.align as AlignMethod)) out.push({ path: `${p}.align`, message: 'unknown alignment', value: f.align, expected: ALIGN_METHODS.join(' | ') });
      if (f.align === 'linear' && f.kind !== 'numeric') out.push({ path: `${p}.align`, message: 'linear interpolation needs a numeric field', value: f.kind, expected: 'numeric' });
      if (f.tolerance !== undefined && !(typeof f.tolerance === 'number' && f.tolerance >= 0)) out.push({ path: `${p}.tolerance`, message: 'tolerance must be a number >= 0', value: f.tolerance, expected: 'number >= 0' });
    }
  }
  const label = value.label;
  if (!isObject(label)) {
    out.push({ path: '$.label', message: 'label must be an object with name and task', value: label, expected: '{ name, task }' });
  } else {
    checkKeys(label, ['name', 'task', 'classes'], '$.label', out);
    if (typeof label.name !== 'string' || !NAME_RE.test(label.name)) out.push({ path: '$.label.name', message: 'label name must be a non-empty string', value: label.name, expected: 'string' });
    if (!TASKS.includes(label.task as Task)) out.push({ path: '$.label.task', message: 'unknown task', value: label.task, expected: TASKS.join(' | ') });
    if (label.classes !== undefined) {
      if (!Array.isArray(label.classes) || label.classes.some((c) => typeof c !== 'string')) {
        out.push({ path: '$.label.classes', message: 'classes must be an array of strings', value: label.classes, expected: 'string[]' });
      } else {
        if (new Set(label.classes).size !== label.classes.length) out.push({ path: '$.label.classes', message: 'classes must be unique', value: label.classes, expected: 'unique names' });
        if (label.task === 'regression') out.push({ path: '$.label.classes', message: 'a regression label has no classes', value: label.classes, expected: 'no classes' });
        if (label.task === 'binary' && label.classes.length !== 2) out.push({ path: '$.label.classes', message: 'a binary label has exactly two classes', value: label.classes, expected: '2 classes' });
      }
    }
  }
  if (value.group !== undefined && (typeof value.group !== 'string' || !NAME_RE.test(value.group))) out.push({ path: '$.group', message: 'group must be a column name', value: value.group, expected: 'string' });
  if (value.timeUnit !== undefined && value.timeUnit !== 'ms' && value.timeUnit !== 'step') out.push({ path: '$.timeUnit', message: 'unknown time unit', value: value.timeUnit, expected: "'ms' | 'step'" });
  return out;
}

/**
 * Validates `value` as a dataset schema and returns it typed, or throws `SCHEMA_INVALID` naming
 * every problem with its path.
 */
export function validateSchema(value: unknown, source?: string): DatasetSchema {
  const problems = checkSchema(value);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new MetaseriesError(
      'SCHEMA_INVALID',
      `schema has ${problems.length} problem${problems.length > 1 ? 's' : ''}, first at ${first.path}: ${first.message}`,
      { file: source, field: first.path, value: first.value, expected: first.expected, problems },
    );
  }
  const v = value as DatasetSchema;
  return { ...v, metadata: v.metadata ?? {}, context: v.context ?? {} };
}
