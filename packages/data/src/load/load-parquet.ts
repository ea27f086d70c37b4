import { stat } from 'node:fs/promises';
import { MetaseriesError } from '@metaseries/core';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { FLOAT32_MAX, LongAccumulator, checkLabel, type SeriesParts } from './series-parts.js';

/** Options of the Parquet loader (from `data.series`). */
export interface ParquetOptions {
  /** Id column. Default: `'id'`. */
  id?: string;
  /** Time column. Default: `'time'`. */
  time?: string;
  /** Channel columns. Default: every top-level column but id, time and label. */
  channels?: string[];
  /** Label column (the first non-empty value of each id). Default: none. */
  label?: string;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

function cellNumber(v: unknown, where: { file: string; line: number; field: string; recordId: string }): number {
  if (v === null || v === undefined) return NaN;
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isNaN(n)) {
    if (typeof v === 'number' || (typeof v === 'string' && /^\s*(nan|na|null|\?)?\s*$/i.test(v))) return NaN;
    throw new MetaseriesError('LOAD_BAD_VALUE', 'a channel value is not a number', { ...where, value: String(v).slice(0, 60), expected: 'a number or null' });
  }
  if (!Number.isFinite(n) || Math.abs(n) > FLOAT32_MAX) throw new MetaseriesError('LOAD_BAD_VALUE', 'a channel value is not a finite float32 number', { ...where, value: String(v), expected: 'a finite number within ±3.4e38' });
  return n;
}

/** Largest uncompressed page accepted, in bytes (a corrupt header must not allocate gigabytes). */
const MAX_PAGE_BYTES = 256 * 1024 * 1024;

type FileBuffer = Awaited<ReturnType<typeof asyncBufferFromFile>>;

/**
 * Walks the page headers of the column chunks to be read and checks that sizes, offsets and value
 * counts agree, before hyparquet decodes them: a damaged header (a negative or oversized page size,
 * a value count beyond the row group) is `LOAD_BAD_PARQUET` here instead of an endless loop or a
 * huge allocation inside the decoder.
 */
async function checkPages(buffer: FileBuffer, group: FileMetaData['row_groups'][number], wanted: Set<string>, file: string, firstRow: number): Promise<void> {
  const rows = Number(group.num_rows);
  const bad = (what: string, column?: string): never => {
    throw new MetaseriesError('LOAD_BAD_PARQUET', `a damaged Parquet column chunk: ${what}`, { file, line: firstRow, ...(column ? { field: column } : {}) });
  };
  if (!Number.isSafeInteger(rows) || rows < 0) bad('row group row count');
  for (const chunk of group.columns) {
    const md = chunk.meta_data;
    if (!md) bad('no column metadata');
    const name = md!.path_in_schema.join('.');
    if (!wanted.has(name)) continue;
    const offsets = [md!.data_page_offset, md!.dictionary_page_offset].filter((o) => o !== undefined).map(Number);
    const start = Math.min(...offsets);
    const len = Number(md!.total_compressed_size);
    if (!(Number.isSafeInteger(start) && start >= 4 && Number.isSafeInteger(len) && len >= 0 && start + len <= buffer.byteLength)) bad('chunk offset or size outside the file', name);
    if (Number(md!.num_values) !== rows) bad(`value count ${md!.num_values} ≠ ${rows} rows`, name);
    const view = new DataView(await buffer.slice(start, start + len));
    const reader = { view, offset: 0 };
    let values = 0;
    while (reader.offset < len) {
      const before = reader.offset;
      let h: ReturnType<typeof parquetHeader>;
      try {
        h = parquetHeader(reader);
      } catch {
        return bad('unreadable page header', name);
      }
      const cs = h.compressed_page_size;
      const us = h.uncompressed_page_size;
      if (!(Number.isInteger(cs) && cs >= 0 && reader.offset + cs <= len)) bad('page size outside the chunk', name);
      if (!(Number.isInteger(us) && us >= 0 && us <= MAX_PAGE_BYTES)) bad('uncompressed page size', name);
      const dp = h.data_page_header ?? h.data_page_header_v2;
      if (h.type === 'DATA_PAGE' || h.type === 'DATA_PAGE_V2') {
        if (!dp) bad('data page without its header', name);
        const nv = dp!.num_values;
        if (!(Number.isInteger(nv) && nv >= 0 && nv <= rows - values)) bad('page value count', name);
        values += nv;
        const v2 = h.data_page_header_v2;
        if (v2 && !(Number.isInteger(v2.definition_levels_byte_length) && Number.isInteger(v2.repetition_levels_byte_length) && Number.isInteger(v2.num_nulls) && v2.definition_levels_byte_length >= 0 && v2.repetition_levels_byte_length >= 0 && v2.definition_levels_byte_length + v2.repetition_levels_byte_length <= cs && v2.num_nulls >= 0 && v2.num_nulls <= nv)) bad('level sizes', name);
      } else if (h.type === 'DICTIONARY_PAGE') {
        const nv = h.dictionary_page_header?.num_values;
        if (!(Number.isInteger(nv) && nv! >= 0 && nv! <= us)) bad('dictionary size', name);
      } else if (h.type !== 'INDEX_PAGE') bad('unknown page type', name);
      reader.offset += cs;
      if (reader.offset <= before) bad('page does not advance', name);
    }
    if (values !== rows) bad(`pages hold ${values} values for ${rows} rows`, name);
  }
}

/**
 * Reads a long-layout Parquet file (one row per id and time), one row group at a time through
 * hyparquet's byte-range reads, never the whole file as one buffer. Rows of an id must be
 * contiguous and in time order, as in the long CSV. Time columns may be numbers, timestamps or
 * ISO text. `line` in errors is the 1-based row number.
 */
export async function loadParquet(file: string, options: ParquetOptions = {}): Promise<SeriesParts> {
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch (e) {
    throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the file does not exist or cannot be read', { file }, { cause: e });
  }
  const idCol = options.id ?? 'id';
  const timeCol = options.time ?? 'time';
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: FileMetaData;
  let names: string[];
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
    names = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (e) {
    if (e instanceof MetaseriesError) throw e;
    throw new MetaseriesError('LOAD_BAD_PARQUET', `not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`, { file }, { cause: e });
  }
  const channels = options.channels ?? names.filter((n) => n !== idCol && n !== timeCol && n !== options.label);
  for (const c of [idCol, timeCol, ...channels, ...(options.label ? [options.label] : [])]) {
    if (!names.includes(c)) throw new MetaseriesError('LOAD_MISSING_COLUMN', `the file has no column "${c}"`, { file, field: c, value: names.join(','), expected: `a column named ${c}` });
  }
  const columns = [idCol, timeCol, ...channels, ...(options.label ? [options.label] : [])];
  const acc = new LongAccumulator(file, channels, { id: idCol, time: timeCol });
  let rowStart = 0;
  const values = new Float64Array(channels.length);
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    try {
      await checkPages(buffer, group, new Set(columns), file, rowStart + 1);
    } catch (e) {
      if (e instanceof MetaseriesError) throw e;
      throw new MetaseriesError('LOAD_BAD_PARQUET', `a damaged Parquet column chunk: ${e instanceof Error ? e.message : String(e)}`, { file, line: rowStart + 1 }, { cause: e });
    }
    // column by column (typed arrays where the column allows), not one array per row
    const chunks = new Map<string, Array<{ data: ArrayLike<unknown>; start: number }>>(columns.map((c) => [c, []]));
    try {
      await parquetRead({ file: buffer, metadata, columns, rowStart, rowEnd, onChunk: (c) => chunks.get(c.columnName)?.push({ data: c.columnData as ArrayLike<unknown>, start: c.rowStart }) });
    } catch (e) {
      throw new MetaseriesError('LOAD_BAD_PARQUET', `a row group cannot be read: ${e instanceof Error ? e.message : String(e)}`, { file, line: rowStart + 1 }, { cause: e });
    }
    const n = rowEnd - rowStart;
    const data = columns.map((c) => {
      const parts = chunks.get(c)!;
      if (parts.length === 1 && parts[0]!.start === rowStart && parts[0]!.data.length === n) return parts[0]!.data;
      const whole = new Array<unknown>(n).fill(null);
      for (const part of parts) for (let i = 0; i < part.data.length && part.start - rowStart + i < n; i++) whole[part.start - rowStart + i] = part.data[i];
      return whole;
    });
    const [ids, times] = data as [ArrayLike<unknown>, ArrayLike<unknown>];
    let prevRaw: unknown = undefined;
    let id = '';
    for (let r = 0; r < n; r++) {
      const line = rowStart + r + 1;
      if (r === 0 || ids[r] !== prevRaw) {
        prevRaw = ids[r];
        id = cellText(prevRaw).trim(); // once per run of rows of one id
      }
      const t = times[r];
      const time = t instanceof Date || typeof t === 'number' ? t : typeof t === 'bigint' ? Number(t) : cellText(t);
      for (let k = 0; k < channels.length; k++) values[k] = cellNumber(data[k + 2]![r], { file, line, field: channels[k]!, recordId: id });
      const label = options.label ? cellText(data[channels.length + 2]![r]).trim() : undefined;
      if (label) checkLabel(label, { file, line, recordId: id, field: options.label! });
      acc.add(id, time, values, label, line);
    }
    rowStart = rowEnd;
  }
  return acc.parts();
}
