import { MetaseriesError } from '@metaseries/core';
import { columnIndex, parseTime } from './read-csv.js';
import { scanCsv, RowParser, asciiText, IdCache, dateTimeBytes } from './fast-csv.js';
import { LongAccumulator, checkLabel, seriesNumber, type SeriesParts } from './series-parts.js';

/** What the long loader needs from `data.series`. */
export interface LongCsvOptions {
  /** Id column. Default: `'id'`. */
  id?: string;
  /** Time column. Default: `'time'`. */
  time?: string;
  /** Channel columns. Default: every column but id, time and label. */
  channels?: string[];
  /** Label column (the first non-empty value of each id). Default: none. */
  label?: string;
  /** Longest accepted line, in characters. */
  maxLineLength: number;
}

/**
 * Loads a long CSV (one row per id and time) into records of typed arrays. Plain lines are parsed
 * from their bytes (numbers straight into the record's buffers, the id string built once per run
 * of rows); a line with a quote, a non-ASCII byte or a cell that is not a plain number (`NA`,
 * spaces, a date-time) goes through the general path — the same checks and errors as before.
 */
export async function loadLongCsv(file: string, src: LongCsvOptions): Promise<SeriesParts> {
  const idCol = src.id ?? 'id';
  const timeCol = src.time ?? 'time';
  let acc: LongAccumulator | undefined;
  let header: string[] = [];
  let channels: string[] = [];
  let iId = 0;
  let iTime = 0;
  let iCh: number[] = [];
  let iLabel = -1;
  let parser!: RowParser;
  const ids = new IdCache();
  let values = new Float64Array(0);

  const slowRow = (row: string[], line: number): void => {
    if (row.length !== header.length) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a row has another number of columns than the header', { file, line, value: row.length, expected: String(header.length) });
    }
    const id = row[iId]!.trim();
    for (let k = 0; k < iCh.length; k++) values[k] = seriesNumber(row[iCh[k]!], { file, line, field: channels[k]!, recordId: id });
    let label: string | undefined;
    if (iLabel >= 0) {
      label = row[iLabel]!.trim();
      if (label !== '') checkLabel(label, { file, line, recordId: id, field: src.label! });
    }
    acc!.add(id, row[iTime]!, values, label, line);
  };

  const fastRow = (buf: Uint8Array, line: number): boolean => {
    const { starts, ends, nums } = parser;
    const s = starts[iId]!;
    const e = ends[iId]!;
    if (e === s || buf[s]! <= 32 || buf[e - 1]! <= 32) return false; // empty or to be trimmed
    for (let k = 0; k < iCh.length; k++) {
      const c = iCh[k]!;
      const v = nums[c]!;
      if (v !== v && ends[c] !== starts[c]) return false; // not a plain number (NA, spaces, …): the general path
      values[k] = v;
    }
    const id = ids.text(buf, s, e);
    let t = nums[iTime]!;
    let isDate = false;
    if (t !== t && (t = dateTimeBytes(buf, starts[iTime]!, ends[iTime]!)) === t) isDate = true;
    else if (t !== t) {
      // a date-time; a bad stamp goes to the general path, which reports problems in its own order
      let p: { value: number; isDate: boolean };
      try {
        p = parseTime(asciiText(buf, starts[iTime]!, ends[iTime]!), { file, line, field: timeCol, recordId: id });
      } catch {
        return false;
      }
      t = p.value;
      isDate = p.isDate;
    }
    let label: string | undefined;
    if (iLabel >= 0) {
      label = asciiText(buf, starts[iLabel]!, ends[iLabel]!).trim();
      if (label !== '') checkLabel(label, { file, line, recordId: id, field: src.label! });
    }
    return acc!.tryAdd(id, t, isDate, values, label, line);
  };

  const seen = await scanCsv(
    file,
    {
      header(row, line) {
        header = row.map((c) => c.trim());
        channels = src.channels ?? header.filter((h) => h !== idCol && h !== timeCol && h !== src.label);
        const idx = columnIndex(header, [idCol, timeCol, ...channels, ...(src.label ? [src.label] : [])], file, line);
        iId = idx.get(idCol)!;
        iTime = idx.get(timeCol)!;
        iCh = channels.map((c) => idx.get(c)!);
        iLabel = src.label ? idx.get(src.label)! : -1;
        values = new Float64Array(channels.length);
        acc = new LongAccumulator(file, channels, { id: idCol, time: timeCol });
        parser = new RowParser(header.length, [iTime, ...iCh], fastRow);
        return parser;
      },
      slow: slowRow,
    },
    { maxLineLength: src.maxLineLength },
  );
  if (!seen) throw new MetaseriesError('LOAD_EMPTY_FILE', 'the series file is empty', { file });
  return acc!.parts();
}
