/**
 * Where a problem was found. Every field is optional; fill in what is known so a person can
 * go straight to the offending place.
 */
export interface ErrorLocation {
  /** File the value came from (as the user named it). */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** Id of the record (series) concerned. */
  recordId?: string;
  /** Field, column, channel or config key path concerned (e.g. `data.series.path`). */
  field?: string;
  /** The value that was seen, as text. */
  value?: unknown;
  /** What was expected instead, as text. */
  expected?: string;
}

/** Extra machine-readable facts about an error; `location` fields plus anything specific. */
export interface ErrorDetails extends ErrorLocation {
  /** Several problems reported at once (e.g. every invalid key of a schema). */
  problems?: Array<{ path: string; message: string; value?: unknown; expected?: string }>;
  [key: string]: unknown;
}

/**
 * The one error type of metaseries. `code` is stable (SCREAMING_SNAKE_CASE, prefixed by the
 * package or area that raises it, e.g. `SCHEMA_UNKNOWN_FIELD`, `ALIGN_UNSORTED_TIMES`) so that
 * scripts can branch on it; `message` is written for a person; `details` says where.
 */
export class MetaseriesError extends Error {
  override readonly name = 'MetaseriesError';
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) {
      throw new TypeError(`MetaseriesError code must be SCREAMING_SNAKE_CASE with a prefix, got "${code}"`);
    }
    this.code = code;
    this.details = details;
  }

  /** `file:line, record r, field f: saw v, expected e` — or an empty string when nothing is known. */
  where(): string {
    return formatLocation(this.details);
  }

  /** The line a CLI prints: `error CODE: message (where)`, then one line per sub-problem. */
  format(): string {
    const where = this.where();
    let out = `error ${this.code}: ${this.message}${where ? ` (${where})` : ''}`;
    for (const p of this.details.problems ?? []) {
      const seen = p.value === undefined ? '' : `: saw ${showValue(p.value)}`;
      const exp = p.expected ? `${seen ? ',' : ':'} expected ${p.expected}` : '';
      out += `\n  - ${p.path}: ${p.message}${seen}${exp}`;
    }
    return out;
  }

  /** Plain JSON for `--json` output and HTTP responses. */
  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `e` is a MetaseriesError (optionally with the given code), across package copies. */
export function isMetaseriesError(e: unknown, code?: string): e is MetaseriesError {
  if (!(e instanceof Error) || e.name !== 'MetaseriesError') return false;
  return code === undefined || (e as MetaseriesError).code === code;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** Renders a location as `file:line, record r, field f: saw v, expected e`. */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.line !== undefined ? `${loc.file}:${loc.line}` : loc.file);
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.recordId !== undefined) parts.push(`record ${loc.recordId}`);
  let s = parts.join(', ');
  if (loc.field !== undefined) s += `${s ? ', ' : ''}field ${loc.field}`;
  const tail: string[] = [];
  if (loc.value !== undefined) tail.push(`saw ${showValue(loc.value)}`);
  if (loc.expected !== undefined) tail.push(`expected ${loc.expected}`);
  if (tail.length) s += `${s ? ': ' : ''}${tail.join(', ')}`;
  return s;
}
