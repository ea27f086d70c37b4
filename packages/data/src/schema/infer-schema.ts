import { validateSchema, type Dataset, type DatasetSchema, type LabelValue, type MetadataKind, type SeriesRecord, type Task } from '@metaseries/core';

/** Options of {@link inferSchema}. */
export interface InferSchemaOptions {
  /** Label name written into the schema. Default: the dataset schema's, else `'label'`. */
  labelName?: string;
  /** Task. Default: `multilabel` for lists, `regression` for numbers with more than `maxClasses` values, `binary` for two classes, else `multiclass`. */
  task?: Task;
  /** Most distinct numeric labels still read as classes. Default: `10`. */
  maxClasses?: number;
  /** Text fields with more distinct values than this and long values become `text`, not `categorical`. Default: `50`. */
  maxCategories?: number;
  /** Distinct values listed per field in the report. Default: `10`. */
  topValues?: number;
}

/** Defaults of {@link InferSchemaOptions}. */
export const defaultInferSchemaOptions = { maxClasses: 10, maxCategories: 50, topValues: 10 } as const;

/** What inference saw in one field. */
export interface FieldReport {
  kind: string;
  /** Distinct non-missing values. */
  cardinality: number;
  /** Share of records (metadata) or rows (context) where the value is missing, 0–1. */
  missingRate: number;
  /** Numeric fields: smallest and largest value. */
  min?: number;
  max?: number;
  /** The most frequent values with their counts (categorical-like fields). */
  top?: Array<[string, number]>;
  /** Context fields: first and last time stamp over all records. */
  timeRange?: [number, number];
}

/** What {@link inferSchema} saw, beside the schema. */
export interface SchemaReport {
  records: number;
  /** Series lengths (steps). */
  length: { min: number; max: number; mean: number };
  /** First and last series time stamp over all records; `null` when records have no times. */
  timeRange: [number, number] | null;
  channels: Record<string, { missingRate: number; min: number; max: number }>;
  metadata: Record<string, FieldReport>;
  context: Record<string, FieldReport>;
  label: FieldReport & { task: Task };
}

const BOOL = /^(true|false|yes|no)$/i;

/** Infers a field kind from its values (missing: `null`, `NaN`, empty text). */
export function inferKind(values: readonly unknown[], options: { maxCategories?: number; topValues?: number } = {}): FieldReport & { kind: MetadataKind } {
  const maxCategories = options.maxCategories ?? defaultInferSchemaOptions.maxCategories;
  const counts = new Map<string, number>();
  let missing = 0;
  let numbers = 0;
  let flags = 0;
  let lists = 0;
  let texts = 0;
  let numericText = 0;
  let min = Infinity;
  let max = -Infinity;
  let totalLength = 0;
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === '') {
      missing++;
      continue;
    }
    let key: string;
    if (typeof v === 'number') {
      numbers++;
      key = String(v);
      if (v < min) min = v;
      if (v > max) max = v;
    } else if (typeof v === 'boolean') {
      flags++;
      key = String(v);
    } else if (Array.isArray(v)) {
      lists++;
      for (const t of v) counts.set(String(t), (counts.get(String(t)) ?? 0) + 1);
      continue;
    } else {
      const s = String(v);
      texts++;
      totalLength += s.length;
      const n = Number(s);
      if (s.trim() !== '' && Number.isFinite(n)) {
        numericText++;
        if (n < min) min = n;
        if (n > max) max = n;
      } else if (BOOL.test(s)) flags++;
      key = s;
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const present = values.length - missing;
  let kind: MetadataKind;
  if (present === 0) kind = 'categorical';
  else if (lists > 0) kind = 'multiCategorical';
  else if (numbers + numericText === present) kind = 'numeric';
  else if (flags === present) kind = 'boolean';
  else if (counts.size > maxCategories && texts > 0 && totalLength / texts > 20) kind = 'text';
  else kind = 'categorical';
  const report: FieldReport & { kind: MetadataKind } = { kind, cardinality: counts.size, missingRate: values.length ? missing / values.length : 0 };
  if (kind === 'numeric' && present > 0) Object.assign(report, { min, max });
  if (kind !== 'numeric' && kind !== 'text') {
    report.top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, options.topValues ?? defaultInferSchemaOptions.topValues);
  }
  return report;
}

function classTop(labels: LabelValue[], n: number): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const l of labels) for (const c of l === null ? [] : Array.isArray(l) ? l : [String(l)]) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true })).slice(0, n);
}

function labelTask(labels: LabelValue[], maxClasses: number): Task {
  const present = labels.filter((l) => l !== null && l !== undefined);
  if (present.some((l) => Array.isArray(l))) return 'multilabel';
  const distinct = new Set(present.map(String));
  if (present.length > 0 && present.every((l) => typeof l === 'number') && distinct.size > maxClasses) return 'regression';
  return distinct.size === 2 ? 'binary' : 'multiclass';
}

/**
 * Infers a dataset schema from loaded records (kinds, classes) and reports what it saw per field:
 * kind, cardinality, missing rate, numeric range, time range. The schema is plain JSON: save
 * it, edit it (rename kinds, set embeddings, alignment), and pass it back to `loadDataset(…, { schema })`
 * or {@link validateDataset}. Kinds declared by a dataset's own schema are re-inferred from values,
 * except context alignment and tolerance, which are kept.
 */
export function inferSchema(data: Dataset | SeriesRecord[], options: InferSchemaOptions = {}): { schema: DatasetSchema; report: SchemaReport } {
  const o = { ...defaultInferSchemaOptions, ...options };
  const records = Array.isArray(data) ? data : data.records;
  const base = Array.isArray(data) ? undefined : data.schema;
  const nChannels = base?.channels.length ?? records[0]?.values.length ?? 1;
  const channels = base?.channels ?? Array.from({ length: nChannels }, (_, i) => `dim_${i}`);
  const chan: SchemaReport['channels'] = {};
  channels.forEach((c, k) => {
    let missing = 0;
    let total = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const r of records) {
      const v = r.values[k];
      if (!v) continue;
      total += v.length;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (Number.isNaN(x)) missing++;
        else {
          if (x < min) min = x;
          if (x > max) max = x;
        }
      }
    }
    chan[c] = { missingRate: total ? missing / total : 0, min, max };
  });
  const lengths = records.map((r) => r.values[0]?.length ?? 0);
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const r of records) {
    if (r.times && r.times.length) {
      tMin = Math.min(tMin, r.times[0]!);
      tMax = Math.max(tMax, r.times[r.times.length - 1]!);
    }
  }
  const metaNames = [...new Set([...Object.keys(base?.metadata ?? {}), ...records.flatMap((r) => Object.keys(r.metadata))])];
  const metadata: DatasetSchema['metadata'] = {};
  const metaReport: SchemaReport['metadata'] = {};
  for (const f of metaNames) {
    const rep = inferKind(records.map((r) => r.metadata[f] ?? null), o);
    metaReport[f] = rep;
    metadata[f] = { kind: rep.kind, ...(base?.metadata[f]?.embedding ? { embedding: base.metadata[f].embedding } : {}) };
  }
  const ctxNames = [...new Set([...Object.keys(base?.context ?? {}), ...records.flatMap((r) => Object.keys(r.context?.values ?? {}))])];
  const context: DatasetSchema['context'] = {};
  const ctxReport: SchemaReport['context'] = {};
  for (const f of ctxNames) {
    const vals: unknown[] = [];
    let a = Infinity;
    let b = -Infinity;
    for (const r of records) {
      const tr = r.context;
      const fv = tr?.values[f];
      if (!tr || !fv) continue;
      for (let i = 0; i < fv.length; i++) {
        vals.push(fv[i]);
        if (fv[i] !== null) {
          a = Math.min(a, tr.times[i]!);
          b = Math.max(b, tr.times[i]!);
        }
      }
    }
    const rep = inferKind(vals, o);
    const kind = rep.kind === 'numeric' || rep.kind === 'boolean' ? rep.kind : 'categorical';
    ctxReport[f] = { ...rep, kind, ...(a <= b ? { timeRange: [a, b] as [number, number] } : {}) };
    const prev = base?.context[f];
    const align = prev?.align === 'linear' && kind !== 'numeric' ? 'asof' : (prev?.align ?? 'asof');
    context[f] = { kind, align, ...(prev?.tolerance !== undefined ? { tolerance: prev.tolerance } : {}) };
  }
  const labels = records.map((r) => r.label ?? null);
  const task = o.task ?? base?.label.task ?? labelTask(labels, o.maxClasses);
  const labelRep = inferKind(labels, o);
  const classSet = [...new Set(labels.flatMap((l) => (l === null ? [] : Array.isArray(l) ? l : [String(l)])))].sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
  const classes = task === 'regression' ? undefined : (base?.label.classes ?? classSet);
  const schema = validateSchema({
    version: 1,
    channels,
    metadata,
    context,
    label: { name: o.labelName ?? base?.label.name ?? 'label', task, ...(classes && classes.length ? { classes } : {}) },
    ...(base?.group ? { group: base.group } : {}),
    ...(base?.timeUnit ? { timeUnit: base.timeUnit } : {}),
  });
  const report: SchemaReport = {
    records: records.length,
    length: { min: lengths.length ? lengths.reduce((m, x) => Math.min(m, x), Infinity) : 0, max: lengths.reduce((m, x) => Math.max(m, x), 0), mean: lengths.length ? lengths.reduce((s, x) => s + x, 0) / lengths.length : 0 },
    timeRange: tMin <= tMax ? [tMin, tMax] : null,
    channels: chan,
    metadata: metaReport,
    context: ctxReport,
    label:
      task === 'regression'
        ? { ...labelRep, kind: 'numeric', task }
        : { kind: 'categorical', cardinality: labelRep.cardinality, missingRate: labelRep.missingRate, task, top: classTop(labels, o.topValues) },
  };
  return { schema, report };
}
