import { MetaseriesError, type SeriesRecord } from '@metaseries/core';
import { openCsv, parseTime } from './read-csv.js';
import { checkLabel, seriesNumber, type RecordOrigin, type SeriesParts } from './series-parts.js';

/** Options of the wide CSV loader (from `data.series`). */
export interface WideCsvOptions {
  /** Id column. Default: `'id'`. */
  id?: string;
  /** Label column, if the file holds one. Default: none. */
  label?: string;
  /** Channel names, for `<channel>__<t>` headers (their order). Default: in order of first appearance. */
  channels?: string[];
  /** Longest accepted line, in characters. Default: 64 MiB. */
  maxLineLength?: number;
}

interface TimeColumn {
  channel: number;
  step: number;
}

/** Splits `t12`, `12`, `2024-01-01` (a time column name without the channel part) into a time. */
function columnTime(name: string, file: string): { value: number; isDate: boolean } {
  const plain = /^[A-Za-z_]*(-?\d+(?:\.\d+)?)$/.exec(name);
  if (plain) return { value: Number(plain[1]), isDate: false };
  try {
    return parseTime(name, { file, line: 1, field: name });
  } catch (e) {
    throw new MetaseriesError('LOAD_BAD_HEADER', 'a wide CSV time column must be named t<number>, <number> or an ISO date-time (optionally <channel>__ before it)', { file, line: 1, field: name, value: name, expected: 't0, t1, … or hr__0, hr__1, …' }, { cause: e });
  }
}

/**
 * Reads a wide CSV: one row per series, `id`, an optional label column, then one column per time
 * step — `t0,t1,…` (univariate, channel `value`) or `<channel>__<t>` (multivariate, every channel
 * with the same steps). Empty cells are missing; trailing steps empty in every channel are cut
 * (unequal lengths); a row with no value at all is a record with no series rows.
 */
export async function loadWide(file: string, options: WideCsvOptions = {}): Promise<SeriesParts> {
  const idCol = options.id ?? 'id';
  const { header: first, batches: rows } = await openCsv(file, ',', options.maxLineLength);
    if (!first) throw new MetaseriesError('LOAD_EMPTY_FILE', 'the series file is empty', { file });
  const header = first.cells.map((c) => c.trim());
  const iId = header.indexOf(idCol);
  if (iId < 0) throw new MetaseriesError('LOAD_MISSING_COLUMN', `the file has no column "${idCol}"`, { file, line: first.line, field: idCol, expected: `a column named ${idCol}` });
  const iLabel = options.label ? header.indexOf(options.label) : -1;
  if (options.label && iLabel < 0) throw new MetaseriesError('LOAD_MISSING_COLUMN', `the file has no column "${options.label}"`, { file, line: first.line, field: options.label, expected: `a column named ${options.label}` });
  const multi = options.channels !== undefined || header.some((h, i) => i !== iId && i !== iLabel && h.includes('__'));
  const channels: string[] = options.channels ? [...options.channels] : multi ? [] : ['value'];
  const stepTimes: number[] = [];
  const stepIndex = new Map<string, number>();
  const columns: Array<TimeColumn | null> = [];
  let isDate: boolean | undefined;
  for (let i = 0; i < header.length; i++) {
    if (i === iId || i === iLabel) {
      columns.push(null);
      continue;
    }
    const name = header[i]!;
    let channelName = 'value';
    let timeName = name;
    if (multi) {
      const cut = name.lastIndexOf('__');
      if (cut <= 0) throw new MetaseriesError('LOAD_BAD_HEADER', 'in a multivariate wide CSV every time column is named <channel>__<t>', { file, line: 1, field: name, value: name, expected: 'e.g. hr__0' });
      channelName = name.slice(0, cut);
      timeName = name.slice(cut + 2);
    }
    let channel = channels.indexOf(channelName);
    if (channel < 0) {
      if (options.channels) {
        columns.push(null); // a channel not asked for
        continue;
      }
      channel = channels.push(channelName) - 1;
    }
    const t = columnTime(timeName, file);
    if (isDate === undefined) isDate = t.isDate;
    let step = stepIndex.get(timeName);
    if (step === undefined) {
      const prev = stepTimes[stepTimes.length - 1];
      if (prev !== undefined && !(t.value > prev)) {
        throw new MetaseriesError('LOAD_UNORDERED_TIMES', 'the time columns of a wide CSV must increase from left to right', { file, line: 1, field: name, value: timeName, expected: `> ${prev}` });
      }
      step = stepTimes.push(t.value) - 1;
      stepIndex.set(timeName, step);
    }
    columns.push({ channel, step });
  }
  if (channels.length === 0 || stepTimes.length === 0) throw new MetaseriesError('LOAD_BAD_HEADER', 'a wide CSV needs at least one time column', { file, line: 1, value: header.join(',').slice(0, 80) });
  const seen = new Set(columns.filter((c): c is TimeColumn => c !== null).map((c) => `${c.channel}:${c.step}`));
  if (seen.size !== channels.length * stepTimes.length) {
    throw new MetaseriesError('LOAD_BAD_HEADER', 'every channel of a wide CSV needs the same time columns, each once', { file, line: 1, value: `${seen.size} channel×time columns`, expected: `${channels.length} × ${stepTimes.length}` });
  }
  const records = new Map<string, SeriesRecord>();
  const origins = new Map<string, RecordOrigin>();
  const T = stepTimes.length;
  const times = Float64Array.from(stepTimes);
  const plainSteps = !isDate && stepTimes.every((t, i) => t === i);
  for await (const batch of rows) for (const { cells, line } of batch) {
    if (cells.length !== header.length) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a row has another number of columns than the header', { file, line, value: cells.length, expected: String(header.length) });
    }
    const id = cells[iId]!.trim();
    if (id === '') throw new MetaseriesError('LOAD_BAD_VALUE', 'a row has an empty id', { file, line, field: idCol });
    if (records.has(id)) throw new MetaseriesError('LOAD_DUPLICATE_ID', 'two rows have the same id', { file, line, recordId: id, field: idCol, value: id, expected: `one row (first at line ${origins.get(id)!.line})` });
    const values = channels.map(() => new Float32Array(T));
    let last = -1;
    for (let i = 0; i < cells.length; i++) {
      const col = columns[i];
      if (!col) continue;
      const v = seriesNumber(cells[i], { file, line, field: header[i]!, recordId: id });
      values[col.channel]![col.step] = v;
      if (!Number.isNaN(v) && col.step > last) last = col.step;
    }
    const len = last + 1;
    const rec: SeriesRecord = { id, values: len === T ? values : values.map((v) => v.slice(0, len)), metadata: {} };
    if (!plainSteps) rec.times = len === T ? times : times.slice(0, len);
    if (iLabel >= 0) {
      const label = cells[iLabel]!.trim();
      if (label !== '') rec.label = checkLabel(label, { file, line, recordId: id, field: options.label! });
    }
    records.set(id, rec);
    origins.set(id, { file, line });
  }
  return { records, channels, timeUnit: isDate ? 'ms' : 'step', origins };
}
