import Papa from 'papaparse';
import { MetaseriesError } from '@metaseries/core';
import { readLineBatches, DEFAULT_MAX_LINE_LENGTH } from './read-lines.js';

/** One parsed CSV row with its 1-based line number. */
export interface CsvRow {
  cells: string[];
  line: number;
}

/**
 * Streams a CSV file: a fast split for plain lines, papaparse for a line holding quotes (quoted
 * fields may contain the delimiter; a quoted field spanning lines is `LOAD_BAD_LINE`). The first
 * non-empty line is the header. Lines longer than `maxLineLength` characters are
 * `LOAD_LINE_TOO_LONG` (default 64 MiB).
 */
export async function* readCsv(file: string, delimiter = ',', maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<CsvRow> {
  for await (const batch of readCsvBatches(file, delimiter, maxLineLength)) yield* batch;
}

/**
 * Splits one line of a CSV: `undefined` for a blank line, a fast split for a plain line, papaparse
 * for a line holding a quote (a quoted field spanning lines is `LOAD_BAD_LINE`).
 */
export function splitCsvLine(text: string, delimiter: string, file: string, line: number): string[] | undefined {
  if (text.length === 0 || text.trim() === '') return undefined;
  if (text.includes('"')) {
    const parsed = Papa.parse<string[]>(text, { delimiter, header: false });
    if (parsed.errors.length) {
      throw new MetaseriesError('LOAD_BAD_LINE', `malformed CSV line: ${parsed.errors[0]!.message}`, { file, line, value: text.slice(0, 60) });
    }
    if (parsed.data.length > 1) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a quoted field spans lines (not supported): close every quote on its line', { file, line, value: text.slice(0, 60) });
    }
    return parsed.data[0] ?? [];
  }
  return text.split(delimiter);
}

/** {@link readCsv} one batch of rows per chunk read: the loaders' fast path. */
export async function* readCsvBatches(file: string, delimiter = ',', maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<CsvRow[]> {
  for await (const { lines, first } of readLineBatches(file, maxLineLength)) {
    const rows: CsvRow[] = [];
    for (let i = 0; i < lines.length; i++) {
      const cells = splitCsvLine(lines[i]!, delimiter, file, first + i);
      if (cells) rows.push({ cells, line: first + i });
    }
    if (rows.length) yield rows;
  }
}

/** Opens a CSV for the loaders: its header row (absent for an empty file) and the batches of data rows. */
export async function openCsv(file: string, delimiter = ',', maxLineLength = DEFAULT_MAX_LINE_LENGTH): Promise<{ header?: CsvRow; batches: AsyncGenerator<CsvRow[]> }> {
  const it = readCsvBatches(file, delimiter, maxLineLength);
  const first = await it.next();
  async function* rest(head: CsvRow[]): AsyncGenerator<CsvRow[]> {
    if (head.length > 1) yield head.slice(1);
    yield* it;
  }
  if (first.done) return { batches: rest([]) };
  return { header: first.value[0]!, batches: rest(first.value) };
}

/** Reads a CSV header and maps column names to positions; names every missing column. */
export function columnIndex(header: string[], wanted: string[], file: string, line: number): Map<string, number> {
  const idx = new Map<string, number>();
  header.forEach((h, i) => idx.set(h.trim(), i));
  for (const w of wanted) {
    if (!idx.has(w)) {
      throw new MetaseriesError('LOAD_MISSING_COLUMN', `the file has no column "${w}"`, { file, line, field: w, value: header.join(','), expected: `a column named ${w}` });
    }
  }
  return idx;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a time cell: a number, or an ISO date-time `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]`
 * (→ epoch milliseconds). A date-time without an offset is read as UTC, so results do not depend on
 * the machine's time zone and daylight-saving changes cannot reorder hourly data.
 */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD HH:MM:SS` (or with `T`, optional `Z`) read by character codes; `NaN` when not that form. */
function fastDateTime(s: string): number {
  const len = s.length;
  if (len !== 19 && !(len === 20 && (s.charCodeAt(19) === 90 || s.charCodeAt(19) === 122))) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  return utcDateTime(y, mo, d, h, mi, sec);
}

/** Epoch ms of a calendar date-time read as UTC; `NaN` when a field is out of range (or `-1`: not digits). */
export function utcDateTime(y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > DAYS[mo - 1]! || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec);
}

export function parseTime(cell: string, where: { file: string; line: number; field: string; recordId?: string }): { value: number; isDate: boolean } {
  const fast = fastDateTime(cell);
  if (fast === fast) return { value: fast, isDate: true };
  const s = cell.trim();
  const n = Number(s);
  if (s !== '' && Number.isFinite(n)) return { value: n, isDate: false };
  const m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h ?? 0);
    const minute = Number(mi ?? 0);
    const second = Number(sec ?? 0);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 24 && minute <= 59 && second <= 60) {
      let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, frac ? Math.round(Number(frac) * 1000) : 0);
      if (zone && zone.toUpperCase() !== 'Z') {
        const z = zone.replace(':', '');
        t -= (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60000;
      }
      if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() === day) return { value: t, isDate: true };
    }
  }
  throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a time stamp is neither a number nor an ISO date-time', { ...where, value: cell, expected: 'a number or YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM]' });
}

/** Parses a numeric cell; empty, `NA`, `NaN`, `?` are missing (NaN). */
export function parseNumber(cell: string | undefined, where: { file: string; line: number; field: string; recordId?: string }): number {
  const s = (cell ?? '').trim();
  if (s === '' || s === '?' || /^(na|nan|null|none)$/i.test(s)) return NaN;
  const n = Number(s);
  if (!Number.isFinite(n)) {
    throw new MetaseriesError('LOAD_BAD_VALUE', 'a value is not a finite number', { ...where, value: cell, expected: 'a number (or empty for missing)' });
  }
  return n;
}

/** Parses a duration: a number (series time unit), or `<n>ms|s|m|h|d` (→ milliseconds). */
export function parseDuration(v: number | string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) throw new MetaseriesError('LOAD_BAD_OPTION', 'a duration must be a number or like 30s, 10m, 2h, 1d', { field, value: v, expected: '<n>[ms|s|m|h|d]' });
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * (m[2] ? unit : 1);
}
