import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MetaseriesError } from '@metaseries/core';
import { splitCsvLine } from './read-csv.js';
import { DEFAULT_MAX_LINE_LENGTH } from './read-lines.js';

/**
 * The byte-level fast path of the CSV loaders. Lines are read as bytes, never decoded as a whole:
 * a plain line (ASCII, no quote) is handed to `row`, which parses the cells it needs straight from
 * the bytes into numbers; anything else — a quote, a non-ASCII byte, a cell the row handler does
 * not accept — is decoded and split by the general path ({@link splitCsvLine}: papaparse for
 * quotes) and handed to `slow`, which runs the original checks and throws their precise errors.
 * So the fast path changes speed, never results or messages.
 */
export interface CsvScanHandlers {
  /** The header (the first non-blank line), decoded and split by the general path. */
  header(cells: string[], line: number): void;
  /**
   * A line of ASCII bytes without a quote, `buf[start, end)` (no line ending). Returns `false`,
   * without side effects, when it wants the general path for this line instead.
   */
  row(buf: Uint8Array, start: number, end: number, line: number): boolean;
  /** A line the fast path did not take, decoded and split (blank lines are skipped). */
  slow(cells: string[], line: number): void;
}

const NL = 10;
const CR = 13;
const QUOTE = 34;

/** Streams `file` through `handlers` (see {@link CsvScanHandlers}); returns whether a header was seen. */
export async function scanCsv(file: string, handlers: CsvScanHandlers, options: { delimiter?: string; maxLineLength?: number } = {}): Promise<boolean> {
  const delimiter = options.delimiter ?? ',';
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the path is not a file', { file });
    size = st.size;
  } catch (e) {
    if (e instanceof MetaseriesError) throw e;
    throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the file does not exist or cannot be read', { file }, { cause: e });
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lineNo = 0;
  let sawHeader = false;
  const tooLong = (line: number): never => {
    throw new MetaseriesError('LOAD_LINE_TOO_LONG', `a line is longer than ${maxLineLength} characters`, { file, line, expected: `<= ${maxLineLength} characters` });
  };
  const general = (buf: Uint8Array, start: number, end: number, line: number): void => {
    let text: string;
    try {
      text = decoder.decode(buf.subarray(start, end));
    } catch (e) {
      throw new MetaseriesError('LOAD_BAD_ENCODING', 'the file is not valid UTF-8', { file, line }, { cause: e });
    }
    if (text.length > maxLineLength) tooLong(line);
    const cells = splitCsvLine(text, delimiter, file, line);
    if (!cells) return;
    if (!sawHeader) {
      sawHeader = true;
      handlers.header(cells, line);
    } else handlers.slow(cells, line);
  };
  const line = (buf: Uint8Array, start: number, end: number): void => {
    const n = ++lineNo;
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) return;
    if (!sawHeader) return general(buf, start, end, n);
    if (end - start > maxLineLength) {
      let plain = true;
      for (let i = start; i < end; i++) if (buf[i]! >= 0x80) plain = false;
      if (plain) tooLong(n); // ASCII: bytes are characters
      return general(buf, start, end, n);
    }
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80 || c === QUOTE) return general(buf, start, end, n);
    }
    if (!handlers.row(buf, start, end, n)) general(buf, start, end, n);
  };
  // small files get a small buffer (as readLineBatches)
  const stream = createReadStream(file, { highWaterMark: Math.max(1024, Math.min(1 << 20, size + 1)) });
  let rest: Buffer | undefined;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf = rest && rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3); // byte-order mark
      }
      let pos = 0;
      let nl: number;
      while ((nl = buf.indexOf(NL, pos)) >= 0) {
        line(buf, pos, nl);
        pos = nl + 1;
      }
      rest = buf.subarray(pos);
      // bounded memory: a line without end longer than the limit (UTF-8: at least bytes / 4 characters)
      if (rest.length > maxLineLength && (rest.length > 4 * maxLineLength || characters(rest) > maxLineLength)) tooLong(lineNo + 1);
    }
  } finally {
    stream.destroy();
  }
  if (rest && rest.length > 0) line(rest, 0, rest.length);
  return sawHeader;
}

/** UTF-16 length of UTF-8 bytes (leaders count 1, 4-byte leaders 2). */
function characters(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x80 || c >= 0xc0) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/**
 * Cell boundaries of one plain line, reused from row to row: `split` fills `starts`/`ends` and
 * returns the number of cells (0 when it is not exactly `expected`, so that the general path
 * reports the bad line).
 */
export class CellSplitter {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly delimiter: number;

  constructor(
    readonly expected: number,
    delimiter = ',',
  ) {
    this.starts = new Int32Array(expected);
    this.ends = new Int32Array(expected);
    this.delimiter = delimiter.charCodeAt(0);
  }

  split(buf: Uint8Array, start: number, end: number): boolean {
    const d = this.delimiter;
    const n = this.expected;
    let k = 0;
    this.starts[0] = start;
    for (let i = start; i < end; i++) {
      if (buf[i] === d) {
        if (k + 1 >= n) return false;
        this.ends[k] = i;
        k++;
        this.starts[k] = i + 1;
      }
    }
    if (k + 1 !== n) return false;
    this.ends[k] = end;
    return true;
  }
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses `[+-]digits[.digits][(e|E)[+-]digits]` from `buf[start, end)` exactly as `Number()` would
 * (at most 15 significant digits and a power of ten within ±22, so one correctly rounded IEEE
 * multiplication or division gives the nearest double: Clinger's fast path). Returns `NaN` for an
 * empty cell or anything else — whitespace, `NA`, hex, 16+ digits — which the caller sends to the
 * general parser.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  let neg = false;
  let c = buf[i]!;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  let mant = 0;
  let sig = 0;
  let any = false;
  let exp = 0;
  for (; i < end; i++) {
    c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    any = true;
    if (sig > 0 || c !== 0) sig++;
    mant = mant * 10 + c;
  }
  if (i < end && buf[i] === 46) {
    for (i++; i < end; i++) {
      c = buf[i]! - 48;
      if (c < 0 || c > 9) break;
      any = true;
      if (sig > 0 || c !== 0) sig++;
      mant = mant * 10 + c;
      exp--;
    }
  }
  if (!any || sig > 15) return NaN;
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let eneg = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) eneg = buf[i++] === 45;
    let e = 0;
    let edigits = 0;
    for (; i < end; i++) {
      c = buf[i]! - 48;
      if (c < 0 || c > 9 || edigits > 4) return NaN;
      e = e * 10 + c;
      edigits++;
    }
    if (edigits === 0) return NaN;
    exp += eneg ? -e : e;
  }
  if (i !== end) return NaN;
  let v: number;
  if (exp === 0) v = mant;
  else if (exp > 0 && exp <= 22) v = mant * POW10[exp]!;
  else if (exp < 0 && exp >= -22) v = mant / POW10[-exp]!;
  else if (mant === 0) v = 0;
  else return NaN;
  return neg ? -v : v;
}

/** `buf[start, end)` as text (the bytes are ASCII on the fast path). */
export function asciiText(buf: Uint8Array, start: number, end: number): string {
  return Buffer.prototype.toString.call(buf, 'latin1', start, end);
}

/** Remembers the bytes of the last id seen, so that a run of rows of one id builds its string once. */
export class IdCache {
  private bytes = new Uint8Array(64);
  private length = -1;
  /** The id string of the last call. */
  value = '';

  /** The text of `buf[start, end)`, reusing the previous string when the bytes are the same. */
  text(buf: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n === this.length) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (this.bytes[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.value;
    }
    if (n > this.bytes.length) this.bytes = new Uint8Array(Math.max(n, 2 * this.bytes.length));
    this.bytes.set(buf.subarray(start, end));
    this.length = n;
    this.value = asciiText(buf, start, end);
    return this.value;
  }
}
