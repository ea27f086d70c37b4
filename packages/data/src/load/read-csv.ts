import Papa from 'papaparse';
import { MetaseriesError } from '@metaseries/core';
import { readLines, DEFAULT_MAX_LINE_LENGTH } from './read-lines.js';

/** One parsed CSV row with its 1-based line number. */
export interface CsvRow {
  cells: string[];
  line: number;
}

/**
 * Streams a CSV file: a fast split for plain lines, papaparse for a line holding quotes (quoted
 * fields may contain the delimiter; a quoted field spanning lines is not supported). The first
 * non-empty line is the header. Lines longer than `maxLineLength` characters are
 * `LOAD_LINE_TOO_LONG` (default 64 MiB).
 */
export async function* readCsv(file: string, delimiter = ',', maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<CsvRow> {
  for await (const [text, line] of readLines(file, maxLineLength)) {
    if (text.trim() === '') continue;
    if (text.includes('"')) {
      const parsed = Papa.parse<string[]>(text, { delimiter, header: false });
      if (parsed.errors.length) {
        throw new MetaseriesError('LOAD_BAD_LINE', `malformed CSV line: ${parsed.errors[0]!.message}`, { file, line, value: text.slice(0, 60) });
      }
      if (parsed.data.length > 1) {
        throw new MetaseriesError('LOAD_BAD_LINE', 'a quoted field spans lines (not supported): close every quote on its line', { file, line, value: text.slice(0, 60) });
      }
      yield { cells: parsed.data[0] ?? [], line };
    } else {
      yield { cells: text.split(delimiter), line };
    }
  }
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

/** Parses a time cell: a number, or an ISO date-time (→ epoch milliseconds). */
export function parseTime(cell: string, where: { file: string; line: number; field: string; recordId?: string }): { value: number; isDate: boolean } {
  const s = cell.trim();
  const n = Number(s);
  if (s !== '' && Number.isFinite(n)) return { value: n, isDate: false };
  const d = Date.parse(s.includes('T') || /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : s.replace(' ', 'T'));
  if (Number.isFinite(d) && /^\d{4}-\d{2}-\d{2}/.test(s)) return { value: d, isDate: true };
  throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a time stamp is neither a number nor an ISO date-time', { ...where, value: cell, expected: 'a number or YYYY-MM-DD[ HH:MM:SS]' });
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
