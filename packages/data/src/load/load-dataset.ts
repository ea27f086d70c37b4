import path from 'node:path';
import {
  MetaseriesError,
  validateSchema,
  type AlignMethod,
  type ContextKind,
  type Dataset,
  type DatasetSchema,
  type LabelValue,
  type MetadataKind,
  type MetadataValue,
  type SeriesRecord,
  type Task,
} from '@metaseries/core';
import { openCsv, columnIndex, parseNumber, parseDuration, parseTime } from './read-csv.js';
import { readTsFile } from './read-ts-file.js';
import { readLineBatches, DEFAULT_MAX_LINE_LENGTH } from './read-lines.js';
import { loadWide } from './load-wide.js';
import { loadParquet } from './load-parquet.js';
import { loadLongCsv } from './load-long.js';
import { loadContextTables, type ContextTable } from './load-context.js';
import { MISSING_CELL, flag } from './cell-values.js';
import { checkLabel, seriesNumber, type RecordOrigin, type SeriesParts } from './series-parts.js';
import { inferKind } from '../schema/infer-schema.js';
import { validateDataset } from '../schema/validate-dataset.js';
import { alignDatasetContext } from '../align/align-context.js';
import type { DuckDbSession } from '../engine/duckdb-engine.js';

/**
 * How files are read and context aligned. `js`: the streaming TypeScript loaders (also run in a
 * browser). `duckdb`: long CSV and Parquet series and the context tables are read by DuckDB
 * (`@duckdb/node-api`, an optional dependency), and `asof`/`ffill` context is aligned with its
 * ASOF JOIN under the same rules; other formats and tables go through the JS loaders.
 */
export type DataEngine = 'js' | 'duckdb';

/** The series file layouts {@link loadDataset} reads. */
export type SeriesFormat = 'long' | 'wide' | 'jsonl' | 'ts' | 'parquet';

/** Where the series come from (the run config's `data.series`). */
export interface SeriesSource {
  path: string;
  /**
   * - `long`: CSV, one row per (id, time) with a column per channel; an id's rows contiguous, in time order.
   * - `wide`: CSV, one row per series: id, label?, then `t0,t1,…` or `<channel>__<t>` columns.
   * - `jsonl`: one `{"id", "values": {channel: number[]}, "times"?, "metadata"?, "label"?}` per line;
   *   `times` holds numbers or ISO date-time strings (one kind per file, as in CSV).
   * - `ts`: sktime/aeon `.ts` (ids are `<problemName>_<case index>`).
   * - `parquet`: the long layout in a Parquet file.
   */
  format: SeriesFormat;
  /** Id column (long, wide, parquet). Default: `'id'`. */
  id?: string;
  /** Time column (long, parquet). Default: `'time'`. */
  time?: string;
  /** Channel columns / names. Default: every column but id, time and label (wide: from the headers). */
  channels?: string[];
  /** Label column inside the series file (long/parquet: the first non-empty value of each id). Default: none. */
  label?: string;
}

/** Static metadata table (`data.metadata`): one row per id. */
export interface MetadataSource {
  path: string;
  /** Id column. Default: `'id'`. */
  id?: string;
  /** The fields to read and their kinds. */
  fields: Record<string, MetadataKind>;
  /** Column naming the group of each id (patient, machine) for group-aware splits. Default: none. */
  group?: string;
}

/** Time-varying context table (`data.context`): rows of (id, time, fields…), any order. */
export interface ContextSource {
  path: string;
  /** Id column. Default: `'id'`. */
  id?: string;
  /** Time column. Default: `'time'`. */
  time?: string;
  /** The fields to read and their kinds. */
  fields: Record<string, ContextKind>;
  /** Default: `'asof'`. */
  align?: AlignMethod;
  /** A number in the series time unit, or a duration like `2h`, `30m`, `10s`, `1d` (ms). Default: none. */
  tolerance?: number | string;
}

/** Label table (`data.labels`): one row per id. */
export interface LabelSource {
  path: string;
  /** Id column. Default: `'id'`. */
  id?: string;
  /** Label column. Default: `'label'`. */
  label?: string;
  /** Default: `'multiclass'` (`'binary'` when exactly two classes are seen). */
  task?: Task;
}

/** The run config's `data` section. Paths are relative to `baseDir`. */
export interface DataConfig {
  series: SeriesSource;
  metadata?: MetadataSource;
  /** One context table, or several (event logs) merged into one track per id. */
  context?: ContextSource | ContextSource[];
  labels?: LabelSource;
  /** A separate test set with the same shape. */
  test?: Omit<DataConfig, 'test'>;
}

/** A non-fatal problem, counted and reported (the record is dropped or the row ignored). */
export interface LoadWarning {
  code: string;
  message: string;
  file?: string;
  line?: number;
  recordId?: string;
}

/** What was read, kept and dropped. */
export interface LoadCounts {
  /** Records in the dataset. */
  records: number;
  /** Series with no label, dropped (`LOAD_NO_LABEL`). */
  droppedNoLabel: number;
  /** Records with metadata and a label but no series rows (or only empty cells), dropped (`LOAD_NO_SERIES_ROWS`). */
  droppedNoSeries: number;
  /** Metadata rows naming an id with neither series nor label, ignored (`LOAD_METADATA_WITHOUT_SERIES`). */
  ignoredMetadataRows: number;
  /** Context rows naming an id with no series, ignored (not a warning: event logs often cover more ids). */
  ignoredContextRows: number;
}

/** What {@link loadDataset} returns. */
export interface LoadResult {
  dataset: Dataset;
  /** The separate test set, when `data.test` is configured. */
  test?: Dataset;
  warnings: LoadWarning[];
  counts: LoadCounts;
  /** File and first line of each kept record (of the test set too), for messages. */
  origins: Map<string, RecordOrigin>;
}

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /** Folder the config's paths are relative to. Default: `process.cwd()`. */
  baseDir?: string;
  /**
   * A saved (possibly edited) schema to load against: fields not in it are `SCHEMA_UNKNOWN_FIELD`,
   * values are validated, and the dataset carries this schema. Default: none (built from the config).
   */
  schema?: DatasetSchema;
  /** Longest accepted line, in characters (bounds memory). Default: 64 MiB. */
  maxLineLength?: number;
  /**
   * `'js'` or `'duckdb'` (see {@link DataEngine}); both give the same dataset. `'duckdb'` without
   * `@duckdb/node-api` installed is `DATA_ENGINE_UNAVAILABLE`. Default: `'js'`.
   */
  engine?: DataEngine;
  /**
   * Also align the context onto the series steps (`record.alignedContext`, as
   * `alignDatasetContext`); with the `duckdb` engine the as-of join runs in DuckDB. Default: `false`
   * (records keep their raw context tracks only).
   */
  align?: boolean;
}

/** Defaults of {@link LoadOptions}. */
export const defaultLoadOptions = { maxLineLength: DEFAULT_MAX_LINE_LENGTH, engine: 'js', align: false } as const;

async function loadJsonl(src: SeriesSource, file: string, maxLineLength: number): Promise<SeriesParts & { metadataKeys: Set<string> }> {
  const records = new Map<string, SeriesRecord>();
  const origins = new Map<string, RecordOrigin>();
  const metadataKeys = new Set<string>();
  let channels: string[] | undefined;
  let timesAreDates: boolean | undefined;
  for await (const { lines: batch, first: firstLine } of readLineBatches(file, maxLineLength)) for (let bi = 0; bi < batch.length; bi++) {
    const text = batch[bi]!;
    const line = firstLine + bi;
    if (text.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a line is not valid JSON', { file, line, value: text.slice(0, 60) }, { cause: e });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a line is not a JSON object', { file, line, value: text.slice(0, 60), expected: '{"id", "values", …}' });
    }
    const o = obj as { id?: unknown; values?: unknown; times?: unknown; label?: unknown; metadata?: unknown };
    const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : '';
    if (!id) throw new MetaseriesError('LOAD_BAD_VALUE', 'a record has no id (a string or number)', { file, line, field: 'id', value: JSON.stringify(o.id ?? null).slice(0, 60) });
    if (records.has(id)) throw new MetaseriesError('LOAD_DUPLICATE_ID', 'two records have the same id', { file, line, recordId: id, field: 'id', value: id, expected: `one record (first at line ${origins.get(id)!.line})` });
    const vals = o.values;
    if (typeof vals !== 'object' || vals === null || Array.isArray(vals)) throw new MetaseriesError('LOAD_BAD_VALUE', 'a record needs values: { channel: number[] }', { file, line, recordId: id, field: 'values' });
    channels ??= src.channels ?? Object.keys(vals);
    let len = -1;
    const values = channels.map((c) => {
      const arr = (vals as Record<string, unknown>)[c];
      if (!Array.isArray(arr)) throw new MetaseriesError('LOAD_MISSING_COLUMN', 'a record lacks a channel', { file, line, recordId: id, field: `values.${c}`, expected: 'an array of numbers' });
      if (len >= 0 && arr.length !== len) throw new MetaseriesError('LOAD_BAD_LINE', 'the channels of a record have different lengths', { file, line, recordId: id, field: `values.${c}`, value: arr.length, expected: String(len) });
      len = arr.length;
      const out = new Float32Array(arr.length);
      for (let i = 0; i < arr.length; i++) {
        const v: unknown = arr[i];
        out[i] = v === null ? NaN : typeof v === 'number' ? seriesNumber(String(v), { file, line, recordId: id, field: `values.${c}` }) : seriesNumber(typeof v === 'string' ? v : 'x', { file, line, recordId: id, field: `values.${c}` });
      }
      return out;
    });
    const rec: SeriesRecord = { id, values, metadata: {} };
    if (typeof o.metadata === 'object' && o.metadata !== null && !Array.isArray(o.metadata)) {
      for (const [k, v] of Object.entries(o.metadata as Record<string, unknown>)) {
        const ok = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
        if (!ok) throw new MetaseriesError('LOAD_BAD_VALUE', 'a metadata value must be text, a number, a flag, a list of tags or null', { file, line, recordId: id, field: `metadata.${k}`, value: JSON.stringify(v).slice(0, 60) });
        rec.metadata[k] = v as MetadataValue;
        metadataKeys.add(k);
      }
    }
    if (o.times !== undefined) {
      if (!Array.isArray(o.times) || o.times.length !== len) {
        throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'times must be an array with one time per step', { file, line, recordId: id, field: 'times', expected: `${len} numbers or ISO date-times` });
      }
      // numbers, or ISO date-time strings (→ epoch ms): one kind for the whole file, as in CSV
      const times = new Float64Array(len);
      (o.times as unknown[]).forEach((t, i) => {
        const where = { file, line, recordId: id, field: `times[${i}]` };
        let isDate: boolean;
        if (typeof t === 'number' && Number.isFinite(t)) {
          times[i] = t;
          isDate = false;
        } else if (typeof t === 'string') {
          const p = parseTime(t, where);
          times[i] = p.value;
          isDate = p.isDate;
        } else {
          throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a time must be a finite number or an ISO date-time string', { ...where, value: JSON.stringify(t ?? null).slice(0, 60), expected: 'a number or YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]' });
        }
        timesAreDates ??= isDate;
        if (timesAreDates !== isDate) {
          throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'times mix plain numbers and date-times', { ...where, value: String(t), expected: timesAreDates ? 'a date-time' : 'a number' });
        }
      });
      for (let i = 1; i < times.length; i++) {
        if (!(times[i]! > times[i - 1]!)) throw new MetaseriesError('LOAD_UNORDERED_TIMES', 'series times must increase within a record', { file, line, recordId: id, field: `times[${i}]`, value: times[i], expected: `> ${times[i - 1]}` });
      }
      rec.times = times;
    }
    if (o.label !== undefined && o.label !== null) {
      const l = o.label;
      if (!(typeof l === 'string' || typeof l === 'number' || (Array.isArray(l) && l.every((x) => typeof x === 'string')))) {
        throw new MetaseriesError('LOAD_BAD_LABEL', 'a label must be text, a number or a list of class names', { file, line, recordId: id, field: 'label', value: JSON.stringify(l).slice(0, 60) });
      }
      rec.label = checkLabel(l as LabelValue, { file, line, recordId: id, field: 'label' });
    }
    records.set(id, rec);
    origins.set(id, { file, line });
  }
  return { records, channels: channels ?? [], timeUnit: timesAreDates ? 'ms' : 'step', origins, metadataKeys };
}

async function loadTable(file: string, idCol: string, columns: string[], maxLineLength: number): Promise<Map<string, { cells: Record<string, string>; line: number }>> {
  const { header: first, batches: rows } = await openCsv(file, ',', maxLineLength);
    if (!first) throw new MetaseriesError('LOAD_EMPTY_FILE', 'the table is empty', { file });
  const header = first.cells.map((c) => c.trim());
  const idx = columnIndex(header, [idCol, ...columns], file, first.line);
  const out = new Map<string, { cells: Record<string, string>; line: number }>();
  for await (const batch of rows) for (const { cells, line } of batch) {
    if (cells.length !== header.length) throw new MetaseriesError('LOAD_BAD_LINE', 'a row has another number of columns than the header', { file, line, value: cells.length, expected: String(header.length) });
    const id = cells[idx.get(idCol)!]!.trim();
    if (out.has(id)) throw new MetaseriesError('LOAD_DUPLICATE_ID', 'an id appears twice in a one-row-per-id table', { file, line, recordId: id, field: idCol, value: id, expected: `one row (first at line ${out.get(id)!.line})` });
    out.set(id, { cells: Object.fromEntries(columns.map((c) => [c, cells[idx.get(c)!]!.trim()])), line });
  }
  return out;
}

function metadataValue(kind: MetadataKind, cell: string, where: { file: string; line: number; field: string; recordId: string }): MetadataValue {
  if (cell === '' || MISSING_CELL.test(cell)) return null;
  if (kind === 'numeric') return parseNumber(cell, where);
  if (kind === 'boolean') return flag(cell, where);
  if (kind === 'multiCategorical') return cell.split('|').map((t) => t.trim()).filter((t) => t !== '');
  return cell;
}

async function loadSeries(src: SeriesSource, file: string, maxLineLength: number): Promise<SeriesParts & { labels: boolean; classes?: string[]; task?: Task; metadataKeys?: Set<string> }> {
  switch (src.format) {
    case 'ts': {
      const ts = await readTsFile(file, { maxLineLength });
      const origins = new Map<string, RecordOrigin>(ts.records.map((r, i) => [r.id, { file, line: ts.lines[i]! }]));
      for (const [i, r] of ts.records.entries()) if (r.label !== undefined) checkLabel(r.label, { file, line: ts.lines[i]!, recordId: r.id, field: 'label' });
      return {
        records: new Map(ts.records.map((r) => [r.id, r])),
        channels: ts.schema.channels,
        timeUnit: ts.schema.timeUnit ?? 'step',
        origins,
        labels: true,
        ...(ts.schema.label.classes ? { classes: ts.schema.label.classes } : {}),
        task: ts.schema.label.task,
      };
    }
    case 'long':
      return { ...(await loadLongCsv(file, { ...src, maxLineLength })), labels: src.label !== undefined };
    case 'wide':
      return { ...(await loadWide(file, { ...src, maxLineLength })), labels: src.label !== undefined };
    case 'parquet':
      return { ...(await loadParquet(file, src)), labels: src.label !== undefined };
    case 'jsonl':
      return { ...(await loadJsonl(src, file, maxLineLength)), labels: true };
    default:
      throw new MetaseriesError('LOAD_UNSUPPORTED', 'unknown series format', { field: 'data.series.format', value: String((src as { format: unknown }).format), expected: 'long | wide | jsonl | ts | parquet' });
  }
}

interface PartsResult {
  dataset: Dataset;
  dropped: { noLabel: number; noSeries: number };
  ignored: { metadata: number; context: number };
  origins: Map<string, RecordOrigin>;
}

async function loadParts(cfg: Omit<DataConfig, 'test'>, baseDir: string, options: LoadOptions, warnings: LoadWarning[], session?: DuckDbSession): Promise<PartsResult> {
  const maxLineLength = options.maxLineLength ?? defaultLoadOptions.maxLineLength;
  const seriesFile = path.resolve(baseDir, cfg.series.path);
  const format = cfg.series.format;
  // DuckDB reads the long layouts; the other formats (and their context) stay with the JS loaders
  const duck = session && (format === 'long' || format === 'parquet') ? session : undefined;
  const parts: Awaited<ReturnType<typeof loadSeries>> = duck
    ? { ...(await duck.loadSeries(seriesFile, { ...cfg.series, format: format as 'long' | 'parquet' })), labels: cfg.series.label !== undefined }
    : await loadSeries(cfg.series, seriesFile, maxLineLength);
  let task: Task | undefined = cfg.labels?.task ?? parts.task;
  let classes = parts.classes;
  const given = options.schema;
  if (given) {
    const declared = new Set([...Object.keys(given.metadata), ...Object.keys(given.context)]);
    const asked = [
      ...Object.keys(cfg.metadata?.fields ?? {}).map((f) => ['data.metadata.fields', f] as const),
      ...[cfg.context ?? []].flat().flatMap((c) => Object.keys(c.fields).map((f) => ['data.context.fields', f] as const)),
      ...[...(parts.metadataKeys ?? [])].map((f) => ['metadata', f] as const),
    ];
    for (const [where, f] of asked) {
      if (!declared.has(f)) {
        throw new MetaseriesError('SCHEMA_UNKNOWN_FIELD', 'the data has a field the schema does not declare: add it to the schema or drop it from the config', {
          file: where === 'metadata' ? seriesFile : undefined,
          field: `${where}.${f}`,
          value: f,
          expected: [...declared].join(', ') || 'no fields',
        });
      }
    }
  }
  const metadataFields: DatasetSchema['metadata'] = {};
  let groupColumn: string | undefined;
  const metadataOnly = new Map<string, number>(); // id → line: metadata rows with no series
  let ignoredMetadata = 0;
  let metadataFile = '';
  if (cfg.metadata) {
    const file = path.resolve(baseDir, cfg.metadata.path);
    metadataFile = file;
    const idCol = cfg.metadata.id ?? 'id';
    const fields = Object.entries(cfg.metadata.fields);
    groupColumn = cfg.metadata.group;
    const table = await loadTable(file, idCol, [...fields.map(([f]) => f), ...(groupColumn && !cfg.metadata.fields[groupColumn] ? [groupColumn] : [])], maxLineLength);
    for (const [f, kind] of fields) metadataFields[f] = { kind };
    for (const [id, row] of table) {
      const rec = parts.records.get(id);
      if (!rec) {
        metadataOnly.set(id, row.line);
        continue;
      }
      for (const [f, kind] of fields) rec.metadata[f] = metadataValue(kind, row.cells[f]!, { file, line: row.line, field: f, recordId: id });
      if (groupColumn) rec.group = row.cells[groupColumn];
    }
    for (const rec of parts.records.values()) for (const [f] of fields) if (!(f in rec.metadata)) rec.metadata[f] = null;
  } else if (parts.metadataKeys?.size) {
    // JSONL records carry their own metadata: infer each field's kind from its values
    for (const f of parts.metadataKeys) {
      const vals = [...parts.records.values()].map((r) => (f in r.metadata ? r.metadata[f]! : null));
      metadataFields[f] = { kind: inferKind(vals).kind };
      for (const r of parts.records.values()) if (!(f in r.metadata)) r.metadata[f] = null;
    }
  }
  const contextFields: DatasetSchema['context'] = {};
  const contextSources = cfg.context === undefined ? [] : Array.isArray(cfg.context) ? cfg.context : [cfg.context];
  const tables: ContextTable[] = [];
  for (const src of contextSources) {
    const file = path.resolve(baseDir, src.path);
    const fields = Object.entries(src.fields);
    const tolerance = parseDuration(src.tolerance, 'data.context.tolerance');
    for (const [f, kind] of fields) {
      if (contextFields[f] || metadataFields[f]) throw new MetaseriesError('LOAD_BAD_OPTION', 'two tables declare the same field name; rename one', { file, field: f, value: f });
      contextFields[f] = { kind, align: src.align ?? 'asof', ...(tolerance !== undefined ? { tolerance } : {}) };
    }
    tables.push({ file, id: src.id ?? 'id', time: src.time ?? 'time', fields });
  }
  const ignoredContext = duck ? await duck.loadContext(tables, parts.records, parts.timeUnit) : await loadContextTables(tables, parts.records, parts.timeUnit, maxLineLength);
  let noSeries = 0;
  if (cfg.labels) {
    const file = path.resolve(baseDir, cfg.labels.path);
    const idCol = cfg.labels.id ?? 'id';
    const labelCol = cfg.labels.label ?? 'label';
    const table = await loadTable(file, idCol, [labelCol], maxLineLength);
    for (const [id, row] of table) {
      const cell = row.cells[labelCol]!;
      const where = { file, line: row.line, recordId: id, field: labelCol };
      let label: LabelValue = null;
      if (task === 'regression') {
        const n = Number(cell);
        if (cell === '' || MISSING_CELL.test(cell)) label = null;
        else if (!Number.isFinite(n)) throw new MetaseriesError('LOAD_BAD_LABEL', 'a regression label must be a finite number', { ...where, value: cell, expected: 'a finite number' });
        else label = n;
      } else if (cell !== '') label = checkLabel(task === 'multilabel' ? cell.split('|').map((c) => c.trim()).filter((c) => c) : cell, where);
      const rec = parts.records.get(id);
      if (rec) {
        if (label !== null) rec.label = label;
        continue;
      }
      if (metadataOnly.has(id)) {
        // metadata and a label but no series rows (ICU stays with no vitals): dropped and counted
        metadataOnly.delete(id);
        noSeries++;
        warnings.push({ code: 'LOAD_NO_SERIES_ROWS', message: 'a record has metadata and a label but no series rows; dropped', file, line: row.line, recordId: id });
        continue;
      }
      throw new MetaseriesError('LOAD_LABEL_WITHOUT_SERIES', 'the label table names an id that has neither series nor metadata (a typo, or the wrong series file?)', { ...where, field: idCol, value: id });
    }
  }
  for (const [id, line] of metadataOnly) {
    ignoredMetadata++;
    warnings.push({ code: 'LOAD_METADATA_WITHOUT_SERIES', message: 'a metadata row names an id with no series; ignored', file: metadataFile, line, recordId: id });
  }
  let noLabel = 0;
  const records: SeriesRecord[] = [];
  const origins = new Map<string, RecordOrigin>();
  for (const r of parts.records.values()) {
    const origin = parts.origins.get(r.id);
    if ((r.values[0]?.length ?? 0) === 0) {
      noSeries++;
      warnings.push({ code: 'LOAD_NO_SERIES_ROWS', message: 'a record has no series values; dropped', ...origin, recordId: r.id });
      continue;
    }
    if (r.label === undefined || r.label === null) {
      noLabel++;
      warnings.push({ code: 'LOAD_NO_LABEL', message: 'a series has no label; dropped', ...origin, recordId: r.id });
      continue;
    }
    records.push(r);
    if (origin) origins.set(r.id, origin);
  }
  if (task === undefined) {
    const seen = new Set(records.map((r) => String(r.label)));
    task = records.some((r) => Array.isArray(r.label)) ? 'multilabel' : seen.size === 2 ? 'binary' : 'multiclass';
  }
  if (!classes && task !== 'regression') {
    const seen = [...new Set(records.map((r) => String(r.label)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (task === 'binary' && seen.length === 2) classes = seen;
  }
  let schema: DatasetSchema;
  if (given) {
    schema = validateSchema(given);
    validateDataset({ schema, records }, { origins });
  } else {
    schema = validateSchema({
      version: 1,
      channels: parts.channels,
      metadata: metadataFields,
      context: contextFields,
      label: { name: cfg.labels?.label ?? cfg.series.label ?? 'label', task, ...(classes && task !== 'multiclass' ? { classes } : {}) },
      ...(groupColumn ? { group: groupColumn } : {}),
      timeUnit: parts.timeUnit,
    });
  }
  let dataset: Dataset = { schema, records };
  if (options.align) {
    if (duck) await duck.align(schema.context, records);
    else dataset = alignDatasetContext(dataset);
  }
  return { dataset, dropped: { noLabel, noSeries }, ignored: { metadata: ignoredMetadata, context: ignoredContext }, origins };
}

/**
 * Loads the series, metadata, context and labels that a run config's `data` section names,
 * joined by id, streaming every file. Context is NOT aligned here (see `alignDatasetContext`):
 * records keep their raw context tracks sorted by time. Fatal problems throw a
 * `MetaseriesError` naming file, line, record and field; a series with no label is dropped and
 * counted (a warning), as is a record with metadata and a label but no series rows.
 *
 * @example
 * const { dataset, warnings, counts } = await loadDataset({ series: { path: 'vitals.csv', format: 'long' }, labels: { path: 'labels.csv' } }, { baseDir: 'data' });
 */
export async function loadDataset(config: DataConfig, options: LoadOptions = {}): Promise<LoadResult> {
  const baseDir = options.baseDir ?? process.cwd();
  const warnings: LoadWarning[] = [];
  const engine = options.engine ?? defaultLoadOptions.engine;
  if (engine !== 'js' && engine !== 'duckdb') throw new MetaseriesError('LOAD_BAD_OPTION', 'unknown data engine', { field: 'engine', value: String(engine), expected: 'js | duckdb' });
  if (engine === 'duckdb') {
    // loaded on demand: the package is optional, and this module must still load in a browser
    const { openDuckDb } = await import('../engine/duckdb-engine.js');
    const session = await openDuckDb();
    try {
      return await loadAll(config, baseDir, options, warnings, session);
    } finally {
      session.close();
    }
  }
  return loadAll(config, baseDir, options, warnings);
}

async function loadAll(config: DataConfig, baseDir: string, options: LoadOptions, warnings: LoadWarning[], session?: DuckDbSession): Promise<LoadResult> {
  const main = await loadParts(config, baseDir, options, warnings, session);
  const result: LoadResult = {
    dataset: main.dataset,
    warnings,
    counts: {
      records: main.dataset.records.length,
      droppedNoLabel: main.dropped.noLabel,
      droppedNoSeries: main.dropped.noSeries,
      ignoredMetadataRows: main.ignored.metadata,
      ignoredContextRows: main.ignored.context,
    },
    origins: main.origins,
  };
  if (config.test) {
    const test = await loadParts(config.test, baseDir, options, warnings, session);
    result.test = test.dataset;
    for (const [id, o] of test.origins) result.origins.set(id, o);
  }
  return result;
}
