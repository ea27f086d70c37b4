import { MetaseriesError, type LabelValue, type SeriesRecord } from '@metaseries/core';
import { parseTime } from './read-csv.js';

/** Where a record was read from (first line or row of its series), for validation messages. */
export interface RecordOrigin {
  file: string;
  line: number;
}

/** What a series loader hands to the joiner. */
export interface SeriesParts {
  records: Map<string, SeriesRecord>;
  channels: string[];
  timeUnit: 'ms' | 'step';
  origins: Map<string, RecordOrigin>;
}

/** The largest magnitude a float32 channel value can hold. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const MISSING = /^(na|nan|null|none|\?)$/i;

/**
 * Parses one numeric series cell for a typed array. Empty, `NA`, `NaN`, `null`, `?` are missing
 * (`NaN`); anything else must be a finite number within float32 range, else `LOAD_BAD_VALUE`.
 */
export function seriesNumber(cell: string | undefined, where: { file: string; line: number; field: string; recordId?: string }): number {
  const s = cell === undefined ? '' : cell.trim();
  if (s === '') return NaN;
  const n = Number(s);
  if (Number.isFinite(n) && Math.abs(n) <= FLOAT32_MAX) return n;
  if (MISSING.test(s)) return NaN;
  throw new MetaseriesError('LOAD_BAD_VALUE', Number.isFinite(n) ? 'a series value is outside the float32 range' : 'a series value is not a finite number', {
    ...where,
    value: s.length > 60 ? `${s.slice(0, 60)}…` : s,
    expected: 'a finite number within ±3.4e38 (or empty / NA / ? for missing)',
  });
}

const BAD_LABEL = /^[+-]?(nan|inf|infinity)$/i;

/** Refuses `NaN` / `Infinity` as a label of any task (`LOAD_BAD_LABEL`); returns the label. */
export function checkLabel(label: LabelValue, where: { file?: string; line?: number; recordId?: string; field?: string }): LabelValue {
  if ((typeof label === 'number' && !Number.isFinite(label)) || (typeof label === 'string' && BAD_LABEL.test(label.trim()))) {
    throw new MetaseriesError('LOAD_BAD_LABEL', 'a label is NaN or Infinity; fix or remove the row (an empty label drops the series)', {
      ...where,
      value: String(label),
      expected: 'a class name or a finite number',
    });
  }
  return label;
}

/**
 * Collects long-layout rows (one per id and time) into records: the rows of one id must be
 * contiguous and strictly increasing in time. Shared by the long CSV and Parquet loaders. The
 * current id's rows go into reusable typed buffers, copied once to exact size when the id ends.
 */
export class LongAccumulator {
  readonly records = new Map<string, SeriesRecord>();
  readonly origins = new Map<string, RecordOrigin>();
  private isDate: boolean | undefined;
  private current: { id: string; label?: string } | undefined;
  private readonly closed = new Set<string>();
  private times = new Float64Array(1024);
  private values: Float32Array[];
  private n = 0;

  constructor(
    readonly file: string,
    readonly channels: string[],
    readonly names: { id: string; time: string },
  ) {
    this.values = channels.map(() => new Float32Array(1024));
  }

  /** Adds one row; `time` is the raw cell (number, ISO text or Date). */
  add(id: string, time: string | number | Date, values: ArrayLike<number>, label: string | undefined, line: number): void {
    const { file } = this;
    if (id === '') throw new MetaseriesError('LOAD_BAD_VALUE', 'a row has an empty id', { file, line, field: this.names.id, expected: 'a non-empty id' });
    if (this.current?.id !== id) this.begin(id, line);
    let t: number;
    let isDate: boolean;
    if (time instanceof Date) {
      t = time.getTime();
      isDate = true;
      if (!Number.isFinite(t)) throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a time stamp is an invalid date', { file, line, recordId: id, field: this.names.time, value: String(time) });
    } else if (typeof time === 'number') {
      t = time;
      isDate = false;
      if (!Number.isFinite(t)) throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a time stamp is not a finite number', { file, line, recordId: id, field: this.names.time, value: String(time) });
    } else {
      const p = parseTime(time, { file, line, field: this.names.time, recordId: id });
      t = p.value;
      isDate = p.isDate;
    }
    if (this.isDate === undefined) this.isDate = isDate;
    else if (this.isDate !== isDate) {
      throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'time stamps mix plain numbers and date-times', { file, line, recordId: id, field: this.names.time, value: String(time), expected: this.isDate ? 'a date-time' : 'a number' });
    }
    const prev = this.n > 0 ? this.times[this.n - 1]! : undefined;
    if (prev !== undefined && !(t > prev)) {
      const dup = t === prev;
      throw new MetaseriesError(dup ? 'LOAD_DUPLICATE_TIME' : 'LOAD_UNORDERED_TIMES', dup ? 'two rows of one series have the same time' : 'series times must increase within a record', {
        file,
        line,
        recordId: id,
        field: this.names.time,
        value: String(time instanceof Date ? time.toISOString() : time),
        expected: `> ${this.isDate ? new Date(prev).toISOString() : prev}`,
      });
    }
    this.push(t, values, label);
  }

  /**
   * The fast path's {@link add}: a row whose time is already parsed. Returns `false`, changing
   * nothing, when the row would be refused (empty id, ids not contiguous, times not increasing,
   * numbers mixed with date-times): the caller then replays it through {@link add}, which throws
   * the precise error.
   */
  tryAdd(id: string, t: number, isDate: boolean, values: ArrayLike<number>, label: string | undefined, line: number): boolean {
    if (this.isDate !== undefined && this.isDate !== isDate) return false;
    if (this.current?.id === id) {
      if (!(t > this.times[this.n - 1]!)) return false;
    } else {
      if (id === '' || this.closed.has(id) || this.records.has(id)) return false;
      this.begin(id, line);
    }
    this.isDate = isDate;
    this.push(t, values, label);
    return true;
  }

  private begin(id: string, line: number): void {
    this.flush();
    if (this.closed.has(id) || this.records.has(id)) {
      throw new MetaseriesError('LOAD_UNGROUPED_IDS', 'the rows of one id must be contiguous (sort the file by id, then time)', { file: this.file, line, recordId: id, field: this.names.id, value: id });
    }
    this.current = { id };
    this.origins.set(id, { file: this.file, line });
  }

  private push(t: number, values: ArrayLike<number>, label: string | undefined): void {
    const i = this.n;
    if (i === this.times.length) {
      const grow = <A extends Float32Array | Float64Array>(a: A): A => {
        const b = new (a.constructor as new (n: number) => A)(2 * a.length);
        b.set(a);
        return b;
      };
      this.times = grow(this.times);
      this.values = this.values.map(grow);
    }
    this.times[i] = t;
    for (let k = 0; k < values.length; k++) this.values[k]![i] = values[k]!;
    this.n = i + 1;
    if (label !== undefined && label !== '' && this.current!.label === undefined) this.current!.label = label;
  }

  /** Closes the current id; call once after the last row. */
  flush(): void {
    const cur = this.current;
    if (!cur) return;
    this.closed.add(cur.id);
    const n = this.n;
    this.records.set(cur.id, {
      id: cur.id,
      values: this.values.map((v) => v.slice(0, n)),
      times: this.times.slice(0, n),
      metadata: {},
      ...(cur.label !== undefined ? { label: cur.label } : {}),
    });
    this.current = undefined;
    this.n = 0;
  }

  /** The collected parts (after {@link flush}). */
  parts(): SeriesParts {
    this.flush();
    return { records: this.records, channels: this.channels, timeUnit: this.isDate ? 'ms' : 'step', origins: this.origins };
  }
}
