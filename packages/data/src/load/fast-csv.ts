import { open, stat } from 'node:fs/promises';
import { MetaseriesError } from '@metaseries/core';
import { splitCsvLine, utcDateTime } from './read-csv.js';
import { DEFAULT_MAX_LINE_LENGTH } from './read-lines.js';

/**
 * The byte-level fast path of the CSV loaders. Lines are read as bytes, never decoded as a whole:
 * after the header, blocks of complete lines go to a {@link RowParser}, which splits and parses
 * each plain line (ASCII, no quote, the header's number of cells) in one pass over its bytes and
 * hands it to the loader's row callback. Any other line — a quote, a non-ASCII byte, a cell the
 * callback does not accept — is decoded and split by the general path ({@link splitCsvLine}:
 * papaparse for quotes) and handed to `slow`, which runs the original checks and throws their
 * precise errors. So the fast path changes speed, never results or messages.
 */
export interface CsvScanHandlers {
  /** The header (the first non-blank line), decoded and split by the general path; returns the parser for the data lines. */
  header(cells: string[], line: number): RowParser;
  /** A line the fast path did not take, decoded and split (blank lines are skipped). */
  slow(cells: string[], line: number): void;
}

const NL = 10;
const CR = 13;

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
  let parser: RowParser | undefined;
  const tooLong = (line: number): never => {
    throw new MetaseriesError('LOAD_LINE_TOO_LONG', `a line is longer than ${maxLineLength} characters`, { file, line, expected: `<= ${maxLineLength} characters` });
  };
  /** The general path for `buf[start, end)` (no line ending). */
  const general = (buf: Uint8Array, start: number, end: number, line: number): void => {
    if (end > start && buf[end - 1] === CR) end--;
    if (end - start > maxLineLength && (end - start > 4 * maxLineLength || characters(buf.subarray(start, end)) > maxLineLength)) tooLong(line);
    let text: string;
    try {
      text = decoder.decode(buf.subarray(start, end));
    } catch (e) {
      throw new MetaseriesError('LOAD_BAD_ENCODING', 'the file is not valid UTF-8', { file, line }, { cause: e });
    }
    const cells = splitCsvLine(text, delimiter, file, line);
    if (!cells) return;
    if (!parser) parser = handlers.header(cells, line);
    else handlers.slow(cells, line);
  };
  /** Complete lines `buf[start, end)`, `end` just past a newline. */
  const block = (buf: Buffer, start: number, end: number): void => {
    let pos = start;
    while (!parser && pos < end) {
      const nl = buf.indexOf(NL, pos);
      general(buf, pos, nl, ++lineNo);
      pos = nl + 1;
    }
    if (parser && pos < end) lineNo = parser.parse(buf, pos, end, lineNo + 1, general, maxLineLength) - 1;
  };
  // one buffer, refilled in place (no allocation per chunk); small files get a small one
  let buf = Buffer.allocUnsafe(Math.max(1024, Math.min(1 << 20, size + 1)));
  let len = 0; // bytes in buf: the start of a line not yet complete
  let first = true;
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the file does not exist or cannot be read', { file }, { cause: e });
  }
  try {
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(2 * buf.length); // one line longer than the buffer
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      let end = len + bytesRead;
      if (first) {
        first = false;
        if (end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          buf.copyWithin(0, 3, end); // byte-order mark
          end -= 3;
        }
      }
      const last = end > 0 ? buf.lastIndexOf(NL, end - 1) : -1;
      if (last >= 0) {
        block(buf, 0, last + 1);
        buf.copyWithin(0, last + 1, end);
        len = end - last - 1;
      } else len = end;
      // bounded memory: a line without end longer than the limit (UTF-8: at least bytes / 4 characters)
      if (len > maxLineLength && (len > 4 * maxLineLength || characters(buf.subarray(0, len)) > maxLineLength)) tooLong(lineNo + 1);
    }
  } finally {
    await fh.close();
  }
  if (len > 0) {
    // a last line without newline
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(len + 1);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    buf[len] = NL;
    block(buf, 0, len + 1);
  }
  return parser !== undefined;
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

/** Row callback of a {@link RowParser}: `false` (with no side effect) sends the line to the general path. */
export type RowCallback = (buf: Uint8Array, line: number) => boolean;

/**
 * Splits and parses plain CSV lines in one pass over their bytes. For each line it fills
 * `starts`/`ends` (cell byte ranges) and, for the columns flagged numeric, `nums` with the value
 * of a plain decimal cell exactly as `Number()` reads it ({@link parseDecimal}'s grammar and
 * limits), `NaN` for an empty cell or any other text. Lines with a quote, a non-ASCII byte, a
 * stray carriage return, another number of cells than the header, or more than `maxLineLength`
 * bytes go to the general path, as do lines the callback refuses.
 */
export class RowParser {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly nums: Float64Array;
  private readonly numeric: Uint8Array;
  private readonly delimiter: number;

  constructor(
    readonly columns: number,
    numericColumns: number[],
    private readonly row: RowCallback,
    delimiter = ',',
  ) {
    this.starts = new Int32Array(columns);
    this.ends = new Int32Array(columns);
    this.nums = new Float64Array(columns);
    this.numeric = new Uint8Array(columns);
    for (const c of numericColumns) this.numeric[c] = 1;
    this.delimiter = delimiter.charCodeAt(0);
  }

  /**
   * Parses the complete lines of `buf[start, end)` (each ending in a newline), the first being line
   * number `line`; returns the number of the line after the last.
   */
  parse(buf: Uint8Array, start: number, end: number, line: number, general: (buf: Uint8Array, start: number, end: number, line: number) => void, maxLineLength: number): number {
    const { starts, ends, nums, numeric, columns } = this;
    const d = this.delimiter;
    let i = start;
    while (i < end) {
      const ls = i;
      let k = 0;
      let ok = true;
      let b = buf[i]!;
      for (;;) {
        starts[k] = i;
        if (numeric[k] === 1) {
          let neg = false;
          if (b === 45) {
            neg = true;
            b = buf[++i]!;
          } else if (b === 43) b = buf[++i]!;
          let mant = 0;
          let exp = 0;
          let c = b - 48;
          const first = i;
          while (c >>> 0 < 10) {
            mant = mant * 10 + c;
            c = buf[++i]! - 48;
          }
          let digits = i - first;
          if (c === -2) {
            // '.'
            const dot = ++i;
            c = buf[i]! - 48;
            while (c >>> 0 < 10) {
              mant = mant * 10 + c;
              c = buf[++i]! - 48;
            }
            exp = dot - i;
            digits += i - dot;
          }
          b = c + 48;
          if (digits > 0 && (b === 101 || b === 69)) {
            b = buf[++i]!;
            let eneg = false;
            if (b === 45 || b === 43) {
              eneg = b === 45;
              b = buf[++i]!;
            }
            let e = 0;
            const e0 = i;
            c = b - 48;
            while (c >>> 0 < 10) {
              e = e * 10 + c;
              c = buf[++i]! - 48;
            }
            b = c + 48;
            if (i === e0 || i - e0 > 5) digits = 0;
            exp += eneg ? -e : e;
          }
          // exact when the digits make an integer below 2^53 and the power of ten is exact (Clinger)
          let v = NaN;
          if (digits > 0 && mant < 9007199254740992) {
            if (exp === 0) v = mant;
            else if (exp > 0 && exp <= 22) v = mant * POW10[exp]!;
            else if (exp < 0 && exp >= -22) v = mant / POW10[-exp]!;
            else if (mant === 0) v = 0;
            if (neg) v = -v;
          }
          if (b !== d && b !== NL && b !== CR) {
            v = NaN; // not a plain number: the callback decides (its general parser reads the text)
            while (b !== d && b !== NL && b !== CR) {
              if (b === 34 || b >= 0x80) ok = false;
              b = buf[++i]!;
            }
          }
          nums[k] = v;
        } else {
          while (b !== d && b !== NL && b !== CR) {
            if (b === 34 || b >= 0x80) ok = false;
            b = buf[++i]!;
          }
        }
        ends[k] = i;
        k++;
        if (b !== d) break;
        if (k === columns) {
          ok = false; // more cells than the header
          break;
        }
        b = buf[++i]!;
      }
      let le = i; // line end (no CR)
      if (b === CR && buf[i + 1] === NL) i++;
      else if (b !== NL) {
        ok = false;
        while (buf[i] !== NL) i++;
        le = i;
      }
      i++; // past the newline
      if (k !== columns || le - ls > maxLineLength) ok = false;
      if (le === ls) {
        line++; // blank line
        continue;
      }
      if (!ok || !this.row(buf, line)) general(buf, ls, le, line);
      line++;
    }
    return line;
  }
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses `[+-]digits[.digits][(e|E)[+-]digits]` from `buf[start, end)` exactly as `Number()` would
 * (digits forming an integer below 2^53 and a power of ten within ±22, so one correctly rounded
 * IEEE multiplication or division gives the nearest double: Clinger's fast path). Returns `NaN`
 * for an empty cell or anything else — whitespace, `NA`, hex, too many digits — which the caller
 * sends to the general parser. {@link RowParser} reads numeric cells by the same rules.
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
  let digits = 0;
  let exp = 0;
  for (; i < end; i++) {
    c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    digits++;
    mant = mant * 10 + c;
  }
  if (i < end && buf[i] === 46) {
    for (i++; i < end; i++) {
      c = buf[i]! - 48;
      if (c < 0 || c > 9) break;
      digits++;
      mant = mant * 10 + c;
      exp--;
    }
  }
  if (digits === 0 || !(mant < 9007199254740992)) return NaN;
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

function byteDigits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * `YYYY-MM-DD HH:MM:SS` (or with `T`, optional `Z`) in `buf[start, end)` as epoch ms (UTC), the
 * common date-time form read without making a string; `NaN` for any other text, which the caller
 * gives to the general time parser (this form gives there the same value).
 */
export function dateTimeBytes(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len !== 19 && !(len === 20 && (buf[start + 19] === 90 || buf[start + 19] === 122))) return NaN;
  if (buf[start + 4] !== 45 || buf[start + 7] !== 45 || buf[start + 13] !== 58 || buf[start + 16] !== 58) return NaN;
  const sep = buf[start + 10];
  if (sep !== 32 && sep !== 84) return NaN;
  return utcDateTime(
    byteDigits(buf, start, 4),
    byteDigits(buf, start + 5, 2),
    byteDigits(buf, start + 8, 2),
    byteDigits(buf, start + 11, 2),
    byteDigits(buf, start + 14, 2),
    byteDigits(buf, start + 17, 2),
  );
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
