import path from 'node:path';
import {
  MetaseriesError,
  validateSchema,
  type AlignMethod,
  type ContextKind,
  type ContextValue,
  type Dataset,
  type DatasetSchema,
  type MetadataKind,
  type MetadataValue,
  type SeriesRecord,
  type Task,
} from '@metaseries/core';
import { readCsv, columnIndex, parseTime, parseNumber, parseDuration } from './read-csv.js';
import { readTsFile } from './read-ts-file.js';
import { readLines } from './read-lines.js';

/** Where the series come from (the run config's `data.series`). */
export interface SeriesSource {
  path: string;
  /** `long`: one row per (id, time) with a column per channel; `ts`: sktime/aeon; `jsonl`: one record per line. */
  format: 'long' | 'ts' | 'jsonl';
  /** Id column (long). Default: `'id'`. */
  id?: string;
  /** Time column (long). Default: `'time'`. */
  time?: string;
  /** Channel columns (long). Default: every column but id, time and label. */
  channels?: string[];
  /** Label column inside the series file (long: read from the first row of each id). */
  label?: string;
}

/** Static metadata table (`data.metadata`): one row per id. */
export interface MetadataSource {
  path: string;
  id?: string;
  fields: Record<string, MetadataKind>;
  /** Column naming the group of each id (patient, machine) for group-aware splits. */
  group?: string;
}

/** Time-varying context table (`data.context`): rows of (id, time, fields…). */
export interface ContextSource {
  path: string;
  id?: string;
  time?: string;
  fields: Record<string, ContextKind>;
  /** Default: `'asof'`. */
  align?: AlignMethod;
  /** A number in the series time unit, or a duration like `2h` (ms). Default: none. */
  tolerance?: number | string;
}

/** Label table (`data.labels`): one row per id. */
export interface LabelSource {
  path: string;
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
  context?: ContextSource;
  labels?: LabelSource;
  /** A separate test set with the same shape. */
  test?: Omit<DataConfig, 'test'>;
}

/** A non-fatal problem, counted and reported (the record is dropped or the value set missing). */
export interface LoadWarning {
  code: string;
  message: string;
  file?: string;
  line?: number;
  recordId?: string;
}

/** What {@link loadDataset} returns. */
export interface LoadResult {
  dataset: Dataset;
  /** The separate test set, when `data.test` is configured. */
  test?: Dataset;
  warnings: LoadWarning[];
  counts: { records: number; droppedNoLabel: number; droppedNoSeries: number };
}

interface Parts {
  records: Map<string, SeriesRecord>;
  channels: string[];
  timeUnit: 'ms' | 'step';
  labelsFromSeries: boolean;
}

async function loadLong(src: SeriesSource, file: string): Promise<Parts> {
  const idCol = src.id ?? 'id';
  const timeCol = src.time ?? 'time';
  const rows = readCsv(file);
  const first = await rows.next();
  if (first.done) throw new MetaseriesError('LOAD_EMPTY_FILE', 'the series file is empty', { file });
  const header = first.value.cells.map((c) => c.trim());
  const channels = src.channels ?? header.filter((h) => h !== idCol && h !== timeCol && h !== src.label);
  const idx = columnIndex(header, [idCol, timeCol, ...channels, ...(src.label ? [src.label] : [])], file, first.value.line);
  const iId = idx.get(idCol)!;
  const iTime = idx.get(timeCol)!;
  const iCh = channels.map((c) => idx.get(c)!);
  const iLabel = src.label ? idx.get(src.label)! : -1;
  const acc = new Map<string, { times: number[]; values: number[][]; label?: string; firstLine: number }>();
  let isDate: boolean | undefined;
  let lastId: string | undefined;
  const closed = new Set<string>();
  for await (const { cells, line } of rows) {
    if (cells.length !== header.length) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a row has another number of columns than the header', { file, line, value: cells.length, expected: String(header.length) });
    }
    const id = cells[iId]!.trim();
    if (id === '') throw new MetaseriesError('LOAD_BAD_VALUE', 'a row has an empty id', { file, line, field: idCol });
    if (id !== lastId) {
      if (lastId !== undefined) closed.add(lastId);
      if (closed.has(id)) {
        throw new MetaseriesError('LOAD_UNGROUPED_IDS', 'the rows of one id must be contiguous (sort the file by id, then time)', { file, line, recordId: id, field: idCol, value: id });
      }
      lastId = id;
    }
    const t = parseTime(cells[iTime]!, { file, line, field: timeCol, recordId: id });
    if (isDate === undefined) isDate = t.isDate;
    let rec = acc.get(id);
    if (!rec) {
      rec = { times: [], values: channels.map(() => []), firstLine: line };
      acc.set(id, rec);
    }
    const prev = rec.times[rec.times.length - 1];
    if (prev !== undefined && !(t.value > prev)) {
      throw new MetaseriesError(t.value === prev ? 'LOAD_DUPLICATE_TIME' : 'LOAD_UNORDERED_TIMES', t.value === prev ? 'two rows of one series have the same time' : 'series times must increase within a record', {
        file,
        line,
        recordId: id,
        field: timeCol,
        value: cells[iTime],
        expected: `> ${isDate ? new Date(prev).toISOString() : prev}`,
      });
    }
    rec.times.push(t.value);
    iCh.forEach((ci, k) => rec!.values[k]!.push(parseNumber(cells[ci], { file, line, field: channels[k]!, recordId: id })));
    if (iLabel >= 0 && rec.label === undefined && cells[iLabel]!.trim() !== '') rec.label = cells[iLabel]!.trim();
  }
  const records = new Map<string, SeriesRecord>();
  for (const [id, r] of acc) {
    records.set(id, {
      id,
      values: r.values.map((v) => Float32Array.from(v)),
      times: Float64Array.from(r.times),
      metadata: {},
      ...(r.label !== undefined ? { label: r.label } : {}),
    });
  }
  return { records, channels, timeUnit: isDate ? 'ms' : 'step', labelsFromSeries: iLabel >= 0 };
}

async function loadJsonl(src: SeriesSource, file: string): Promise<Parts> {
  const records = new Map<string, SeriesRecord>();
  let channels: string[] | undefined;
  let labels = false;
  for await (const [text, line] of readLines(file)) {
    if (text.trim() === '') continue;
    let obj: { id?: unknown; values?: unknown; times?: unknown; label?: unknown; metadata?: unknown };
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a line is not valid JSON', { file, line, value: text.slice(0, 60) }, { cause: e });
    }
    const id = String(obj.id ?? '');
    if (!id) throw new MetaseriesError('LOAD_BAD_VALUE', 'a record has no id', { file, line, field: 'id' });
    if (records.has(id)) throw new MetaseriesError('LOAD_DUPLICATE_ID', 'two records have the same id', { file, line, recordId: id, field: 'id', value: id });
    const vals = obj.values;
    if (typeof vals !== 'object' || vals === null) throw new MetaseriesError('LOAD_BAD_VALUE', 'a record needs values: { channel: number[] }', { file, line, recordId: id, field: 'values' });
    const names = Object.keys(vals);
    channels ??= src.channels ?? names;
    const values = channels.map((c) => {
      const arr = (vals as Record<string, unknown>)[c];
      if (!Array.isArray(arr)) throw new MetaseriesError('LOAD_MISSING_COLUMN', 'a record lacks a channel', { file, line, recordId: id, field: `values.${c}` });
      return Float32Array.from(arr, (v) => (v === null ? NaN : Number(v)));
    });
    const rec: SeriesRecord = { id, values, metadata: (typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {}) as Record<string, MetadataValue> };
    if (Array.isArray(obj.times)) rec.times = Float64Array.from(obj.times as number[]);
    if (obj.label !== undefined && obj.label !== null) {
      rec.label = obj.label as string;
      labels = true;
    }
    records.set(id, rec);
  }
  return { records, channels: channels ?? [], timeUnit: 'step', labelsFromSeries: labels };
}

async function loadTable(file: string, idCol: string, columns: string[]): Promise<Map<string, { cells: Record<string, string>; line: number }>> {
  const rows = readCsv(file);
  const first = await rows.next();
  if (first.done) throw new MetaseriesError('LOAD_EMPTY_FILE', 'the table is empty', { file });
  const header = first.value.cells.map((c) => c.trim());
  const idx = columnIndex(header, [idCol, ...columns], file, first.value.line);
  const out = new Map<string, { cells: Record<string, string>; line: number }>();
  for await (const { cells, line } of rows) {
    if (cells.length !== header.length) throw new MetaseriesError('LOAD_BAD_LINE', 'a row has another number of columns than the header', { file, line, value: cells.length, expected: String(header.length) });
    const id = cells[idx.get(idCol)!]!.trim();
    if (out.has(id)) throw new MetaseriesError('LOAD_DUPLICATE_ID', 'an id appears twice in a one-row-per-id table', { file, line, recordId: id, field: idCol, value: id, expected: `one row (first at line ${out.get(id)!.line})` });
    out.set(id, { cells: Object.fromEntries(columns.map((c) => [c, cells[idx.get(c)!]!.trim()])), line });
  }
  return out;
}

function metadataValue(kind: MetadataKind, cell: string, where: { file: string; line: number; field: string; recordId: string }): MetadataValue {
  if (cell === '' || /^(na|nan|null|none|\?)$/i.test(cell)) return null;
  if (kind === 'numeric') return parseNumber(cell, where);
  if (kind === 'boolean') {
    if (/^(true|yes|1|t|y)$/i.test(cell)) return true;
    if (/^(false|no|0|f|n)$/i.test(cell)) return false;
    throw new MetaseriesError('LOAD_BAD_VALUE', 'a boolean field holds a value that is not a flag', { ...where, value: cell, expected: 'true/false, yes/no, 1/0' });
  }
  return cell;
}

async function loadParts(cfg: Omit<DataConfig, 'test'>, baseDir: string, warnings: LoadWarning[]): Promise<{ dataset: Dataset; dropped: { noLabel: number; noSeries: number } }> {
  const seriesFile = path.resolve(baseDir, cfg.series.path);
  let parts: Parts;
  let task: Task | undefined = cfg.labels?.task;
  let classes: string[] | undefined;
  if (cfg.series.format === 'ts') {
    const ts = await readTsFile(seriesFile);
    parts = { records: new Map(ts.records.map((r) => [r.id, r])), channels: ts.schema.channels, timeUnit: 'step', labelsFromSeries: true };
    classes = ts.schema.label.classes;
    task ??= ts.schema.label.task;
  } else if (cfg.series.format === 'long') {
    parts = await loadLong(cfg.series, seriesFile);
  } else if (cfg.series.format === 'jsonl') {
    parts = await loadJsonl(cfg.series, seriesFile);
  } else {
    throw new MetaseriesError('LOAD_UNSUPPORTED', 'this series format is not supported by the streaming loader yet', {
      field: 'data.series.format',
      value: cfg.series.format,
      expected: 'long | ts | jsonl',
    });
  }
  const metadataFields: DatasetSchema['metadata'] = {};
  let groupColumn: string | undefined;
  if (cfg.metadata) {
    const file = path.resolve(baseDir, cfg.metadata.path);
    const idCol = cfg.metadata.id ?? 'id';
    const fields = Object.entries(cfg.metadata.fields);
    groupColumn = cfg.metadata.group;
    const table = await loadTable(file, idCol, [...fields.map(([f]) => f), ...(groupColumn && !cfg.metadata.fields[groupColumn] ? [groupColumn] : [])]);
    for (const [f, kind] of fields) metadataFields[f] = { kind };
    for (const [id, row] of table) {
      const rec = parts.records.get(id);
      if (!rec) {
        warnings.push({ code: 'LOAD_METADATA_WITHOUT_SERIES', message: 'a metadata row names an id with no series; ignored', file, line: row.line, recordId: id });
        continue;
      }
      for (const [f, kind] of fields) rec.metadata[f] = metadataValue(kind, row.cells[f]!, { file, line: row.line, field: f, recordId: id });
      if (groupColumn) rec.group = row.cells[groupColumn];
    }
    for (const rec of parts.records.values()) for (const [f] of fields) if (!(f in rec.metadata)) rec.metadata[f] = null;
  }
  const contextFields: DatasetSchema['context'] = {};
  if (cfg.context) {
    const file = path.resolve(baseDir, cfg.context.path);
    const idCol = cfg.context.id ?? 'id';
    const timeCol = cfg.context.time ?? 'time';
    const fields = Object.entries(cfg.context.fields);
    const tolerance = parseDuration(cfg.context.tolerance, 'data.context.tolerance');
    for (const [f, kind] of fields) contextFields[f] = { kind, align: cfg.context.align ?? 'asof', ...(tolerance !== undefined ? { tolerance } : {}) };
    const rows = readCsv(file);
    const first = await rows.next();
    if (!first.done) {
      const header = first.value.cells.map((c) => c.trim());
      const idx = columnIndex(header, [idCol, timeCol, ...fields.map(([f]) => f)], file, first.value.line);
      const tracks = new Map<string, { times: number[]; values: Record<string, ContextValue[]>; lines: number[] }>();
      for await (const { cells, line } of rows) {
        const id = cells[idx.get(idCol)!]!.trim();
        if (!parts.records.has(id)) continue;
        let tr = tracks.get(id);
        if (!tr) {
          tr = { times: [], values: Object.fromEntries(fields.map(([f]) => [f, []])), lines: [] };
          tracks.set(id, tr);
        }
        tr.times.push(parseTime(cells[idx.get(timeCol)!]!, { file, line, field: timeCol, recordId: id }).value);
        tr.lines.push(line);
        for (const [f, kind] of fields) {
          const cell = cells[idx.get(f)!]!.trim();
          const v = cell === '' ? null : kind === 'numeric' ? parseNumber(cell, { file, line, field: f, recordId: id }) : kind === 'boolean' ? /^(true|yes|1)$/i.test(cell) : cell;
          tr.values[f]!.push(typeof v === 'number' && Number.isNaN(v) ? null : v);
        }
      }
      for (const [id, tr] of tracks) {
        // sort by time, stable: rows with equal stamps keep file order (the last one wins in asof)
        const order = tr.times.map((_, i) => i).sort((a, b) => tr.times[a]! - tr.times[b]! || a - b);
        const rec = parts.records.get(id)!;
        rec.context = {
          times: Float64Array.from(order, (i) => tr.times[i]!),
          values: Object.fromEntries(fields.map(([f]) => [f, order.map((i) => tr.values[f]![i]!)])),
        };
      }
    }
  }
  if (cfg.labels) {
    const file = path.resolve(baseDir, cfg.labels.path);
    const idCol = cfg.labels.id ?? 'id';
    const labelCol = cfg.labels.label ?? 'label';
    const table = await loadTable(file, idCol, [labelCol]);
    for (const [id, row] of table) {
      const rec = parts.records.get(id);
      if (!rec) {
        throw new MetaseriesError('LOAD_LABEL_WITHOUT_SERIES', 'the label table names an id that has no series', { file, line: row.line, recordId: id, field: idCol, value: id });
      }
      const cell = row.cells[labelCol]!;
      if (task === 'regression') {
        const n = Number(cell);
        if (cell === '' || !Number.isFinite(n)) throw new MetaseriesError('LOAD_BAD_LABEL', 'a regression label must be a finite number', { file, line: row.line, recordId: id, field: labelCol, value: cell, expected: 'a finite number' });
        rec.label = n;
      } else if (cell !== '') rec.label = cell;
    }
  }
  let noLabel = 0;
  let noSeries = 0;
  const records: SeriesRecord[] = [];
  for (const r of parts.records.values()) {
    if (r.label === undefined || r.label === null) {
      noLabel++;
      warnings.push({ code: 'LOAD_NO_LABEL', message: 'a series has no label; dropped', recordId: r.id });
      continue;
    }
    if ((r.values[0]?.length ?? 0) === 0) {
      noSeries++;
      warnings.push({ code: 'LOAD_NO_SERIES_ROWS', message: 'a record has no series rows; dropped', recordId: r.id });
      continue;
    }
    records.push(r);
  }
  if (task === undefined) {
    const seen = new Set(records.map((r) => String(r.label)));
    task = seen.size === 2 ? 'binary' : 'multiclass';
  }
  if (!classes && task !== 'regression') {
    const seen = [...new Set(records.map((r) => String(r.label)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (task === 'binary' && seen.length === 2) classes = seen;
  }
  const schema = validateSchema({
    version: 1,
    channels: parts.channels,
    metadata: metadataFields,
    context: contextFields,
    label: { name: cfg.labels?.label ?? cfg.series.label ?? 'label', task, ...(classes && task !== 'multiclass' ? { classes } : {}) },
    ...(groupColumn ? { group: groupColumn } : {}),
    timeUnit: parts.timeUnit,
  });
  return { dataset: { schema, records }, dropped: { noLabel, noSeries } };
}

/**
 * Loads the series, metadata, context and labels that a run config's `data` section names,
 * joined by id. Fatal problems throw a `MetaseriesError` naming file, line, record and field;
 * a series with no label is dropped and counted (a warning), as is a record with no series rows.
 */
export async function loadDataset(config: DataConfig, options: { baseDir?: string } = {}): Promise<LoadResult> {
  const baseDir = options.baseDir ?? process.cwd();
  const warnings: LoadWarning[] = [];
  const main = await loadParts(config, baseDir, warnings);
  const result: LoadResult = {
    dataset: main.dataset,
    warnings,
    counts: { records: main.dataset.records.length, droppedNoLabel: main.dropped.noLabel, droppedNoSeries: main.dropped.noSeries },
  };
  if (config.test) result.test = (await loadParts(config.test, baseDir, warnings)).dataset;
  return result;
}
