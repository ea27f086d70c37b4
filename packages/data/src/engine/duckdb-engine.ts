import { stat } from 'node:fs/promises';
import { MetaseriesError, type AlignedContext, type ContextFieldSchema, type ContextValue, type SeriesRecord } from '@metaseries/core';
import type { DuckDBConnection, DuckDBInstance, DuckDBVector } from '@duckdb/node-api';
import { FLOAT32_MAX, type RecordOrigin, type SeriesParts } from '../load/series-parts.js';
import type { ContextTable } from '../load/load-context.js';
import { alignContext } from '../align/align-context.js';

/** The npm package the `duckdb` engine loads (an optional dependency of `@metaseries/data`). */
export const DUCKDB_PACKAGE = '@duckdb/node-api';

/** What the series loader needs from `data.series` (long CSV or Parquet). */
export interface DuckDbSeriesOptions {
  format: 'long' | 'parquet';
  id?: string;
  time?: string;
  channels?: string[];
  label?: string;
}

// every case of the missing-cell words the JS loaders accept (DuckDB's nullstr is case-sensitive);
// not NaN, which DuckDB reads as a DOUBLE NaN anyway (and a label "NaN" must stay a bad label)
const MISSING_WORDS = ['na', 'null', 'none'];
function caseVariants(word: string): string[] {
  let out = [''];
  for (const ch of word) out = out.flatMap((p) => [p + ch.toLowerCase(), p + ch.toUpperCase()]);
  return out;
}
const NULL_STRINGS = ['', '?', ...MISSING_WORDS.flatMap(caseVariants)];

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const nullList = `[${NULL_STRINGS.map(sqlString).join(', ')}]`;

/** Column types DuckDB reads as a number of steps, and as a date-time (→ epoch ms). */
const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const DATE_TYPES = /^(DATE|TIMESTAMP.*)$/;

/**
 * The SQL reading a time column of the type DuckDB sniffed: numbers (`step`) or date-times (epoch
 * ms); `undefined` when the sniffer found neither (no rows, or stamps it cannot read), and the
 * caller then names the type.
 */
function timeExpression(column: string, type: string): { sql: string; unit: 'ms' | 'step' } | undefined {
  const c = ident(column);
  if (NUMERIC_TYPES.test(type)) return { sql: `${c}::DOUBLE`, unit: 'step' };
  if (type === 'DATE') return { sql: `epoch_ms(${c}::TIMESTAMP)::DOUBLE`, unit: 'ms' };
  if (DATE_TYPES.test(type)) return { sql: `epoch_ms(${c})::DOUBLE`, unit: 'ms' };
  return undefined;
}

const MARK = 'metaseries: ';

/**
 * A DuckDB failure as the loaders' error, with the line and column DuckDB names: a value that
 * does not convert is `LOAD_BAD_VALUE` (`LOAD_BAD_TIMESTAMP` in the time column), a damaged
 * Parquet file `LOAD_BAD_PARQUET`, anything else `LOAD_BAD_LINE`.
 */
function loadError(e: unknown, file: string, timeColumn?: string): MetaseriesError {
  if (e instanceof MetaseriesError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const field = /converting column "([^"]*)"/.exec(message)?.[1];
  const value = /Could not convert string "([^"]*)"/.exec(message)?.[1];
  const ours = message.indexOf(MARK);
  let code = 'LOAD_BAD_LINE';
  if (ours >= 0) code = 'LOAD_BAD_VALUE';
  else if (field !== undefined && field === timeColumn) code = 'LOAD_BAD_TIMESTAMP';
  else if (/Conversion Error|Could not convert/i.test(message)) code = 'LOAD_BAD_VALUE';
  else if (/parquet/i.test(message)) code = 'LOAD_BAD_PARQUET';
  const text = ours >= 0 ? message.slice(ours + MARK.length).split('\n')[0]! : `DuckDB could not read the file: ${message.split('\n')[0]}`;
  return new MetaseriesError(code, text, { file, ...(line && { line: Number(line) }), ...(field !== undefined && { field }), ...(value !== undefined && { value }) }, { cause: e });
}

async function checkFile(file: string): Promise<void> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch (e) {
    throw new MetaseriesError('LOAD_FILE_NOT_FOUND', 'the file does not exist or cannot be read', { file }, { cause: e });
  }
  if (size === 0) throw new MetaseriesError('LOAD_EMPTY_FILE', 'the file is empty', { file });
}

/**
 * The values of a DuckDB vector without nulls (the SQL coalesces them) as a typed array: the
 * vector's own buffer where @duckdb/node-api exposes it, else a copy through its public `toArray`.
 */
function vectorItems<A extends Float64Array | Int32Array>(vector: DuckDBVector, type: { new (n: number): A; from(values: ArrayLike<number>): A }): A {
  const own = (vector as unknown as { items?: unknown }).items;
  if (own instanceof (type as unknown as typeof Float64Array | typeof Int32Array)) return own as A;
  return type.from(vector.toArray() as number[]);
}

/** Where one id's rows lie in the series table (`rn` order). */
interface Run {
  id: string;
  offset: number;
  n: number;
}

/**
 * One DuckDB database (in memory) holding the tables of one load: the series rows (`s`) and the
 * merged context rows (`c`), so the as-of join runs where the data already is. Open it with
 * {@link openDuckDb}; {@link close} it when done.
 */
export class DuckDbSession {
  private runs: Run[] = [];
  /** The context fields held in table `c` (column `f<j>` is the j-th); empty without context. */
  private contextFields: string[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** Opens an in-memory DuckDB; see {@link DuckDbOpenOptions}. */
  static async open(options: DuckDbOpenOptions = {}): Promise<DuckDbSession> {
    let api: typeof import('@duckdb/node-api');
    try {
      api = (await import(options.packageName ?? DUCKDB_PACKAGE)) as typeof import('@duckdb/node-api');
    } catch (e) {
      throw new MetaseriesError(
        'DATA_ENGINE_UNAVAILABLE',
        `engine 'duckdb' needs the optional package ${DUCKDB_PACKAGE}: install it (npm install ${DUCKDB_PACKAGE}) or use engine 'js'`,
        { field: 'engine', value: 'duckdb', expected: `${DUCKDB_PACKAGE} installed, or engine 'js'` },
        { cause: e },
      );
    }
    const instance = await api.DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return new DuckDbSession(instance, conn);
  }

  /** Closes the connection and the database. */
  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private async rows(sql: string): Promise<Array<Record<string, unknown>>> {
    const r = await this.conn.runAndReadAll(sql);
    return r.getRowObjects() as Array<Record<string, unknown>>;
  }

  private async describe(source: string, file: string): Promise<Map<string, string>> {
    try {
      const cols = await this.rows(`DESCRIBE SELECT * FROM ${source}`);
      return new Map(cols.map((c) => [String(c.column_name), String(c.column_type)]));
    } catch (e) {
      throw loadError(e, file);
    }
  }

  private csvSource(file: string, types: Record<string, string>, notNull: string[]): string {
    const t = Object.entries(types).map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`);
    return `read_csv(${sqlString(file)}, header = true, delim = ',', quote = '"', escape = '"', nullstr = ${nullList}${t.length ? `, types = {${t.join(', ')}}` : ''}${notNull.length ? `, force_not_null = [${notNull.map(sqlString).join(', ')}]` : ''})`;
  }

  /**
   * Reads a long CSV or Parquet series file into the session's series table and returns the
   * records, as the JS loaders would: channels read as DOUBLE (text → double → float32, the JS
   * engine's rounding), times as numbers (`step`) or date-times (epoch ms), ids trimmed. The same
   * checks as the JS engine (empty id, ids not contiguous, times not increasing or repeated,
   * values beyond float32, NaN/Infinity labels), with the same codes.
   */
  async loadSeries(file: string, src: DuckDbSeriesOptions): Promise<SeriesParts> {
    await checkFile(file);
    await this.conn.run('DROP TABLE IF EXISTS c');
    this.contextFields = [];
    this.runs = [];
    const idCol = src.id ?? 'id';
    const timeCol = src.time ?? 'time';
    const csv = src.format === 'long';
    const probe = csv ? this.csvSource(file, {}, []) : `read_parquet(${sqlString(file)})`;
    const found = await this.describe(probe, file);
    const names = [...found.keys()];
    const channels = src.channels ?? names.filter((h) => h !== idCol && h !== timeCol && h !== src.label);
    for (const c of [idCol, timeCol, ...channels, ...(src.label ? [src.label] : [])]) {
      if (!found.has(c)) throw new MetaseriesError('LOAD_MISSING_COLUMN', `the file has no column "${c}"`, { file, line: 1, field: c, value: names.join(','), expected: `a column named ${c}` });
    }
    const types: Record<string, string> = { [idCol]: 'VARCHAR', ...Object.fromEntries(channels.map((c) => [c, 'DOUBLE'])), ...(src.label ? { [src.label]: 'VARCHAR' } : {}) };
    let source = csv ? this.csvSource(file, types, [idCol]) : probe;
    const sniffed = found.get(timeCol)!; // the sniffer's type for the time column does not depend on the others'
    let time = timeExpression(timeCol, sniffed);
    if (!time) {
      if (!csv) throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'the time column is neither numbers nor date-times', { file, field: timeCol, value: sniffed, expected: 'numbers or timestamps' });
      // no rows, or stamps the sniffer could not read: numbers, and the failing line is named
      source = this.csvSource(file, { ...types, [timeCol]: 'DOUBLE' }, [idCol]);
      time = { sql: `${ident(timeCol)}::DOUBLE`, unit: 'step' };
    }
    const label = src.label ? `, trim(${ident(src.label)}::VARCHAR) AS label` : ', NULL::VARCHAR AS label';
    const chans = channels.map((c, k) => `${ident(c)}::DOUBLE AS ch${k}`).join(', ');
    try {
      // file order is the table's insertion order (DuckDB preserves it): rowid + 1 is the row number
      await this.conn.run('DROP VIEW IF EXISTS s');
      await this.conn.run('DROP TABLE IF EXISTS s0');
      await this.conn.run(`CREATE TEMP TABLE s0 AS SELECT trim(${ident(idCol)}::VARCHAR) AS id, ${time.sql} AS t${chans ? `, ${chans}` : ''}${label} FROM ${source}`);
      await this.conn.run('CREATE TEMP VIEW s AS SELECT rowid + 1 AS rn, * FROM s0');
    } catch (e) {
      throw loadError(e, file, timeCol);
    }
    const lineOf = (rn: unknown): number => Number(rn) + (csv ? 1 : 0); // CSV: the header is line 1; Parquet: the row number
    const first = async (where: string, cols = 'rn, id'): Promise<Record<string, unknown> | undefined> => (await this.rows(`SELECT ${cols} FROM s WHERE ${where} ORDER BY rn LIMIT 1`))[0];
    const empty = await first(`id IS NULL OR id = ''`);
    if (empty) throw new MetaseriesError('LOAD_BAD_VALUE', 'a row has an empty id', { file, line: lineOf(empty.rn), field: idCol, expected: 'a non-empty id' });
    if (src.label) {
      const bad = await first(`regexp_matches(label, '^[+-]?(nan|inf|infinity)$', 'i')`, 'rn, id, label');
      if (bad) throw new MetaseriesError('LOAD_BAD_LABEL', 'a label is NaN or Infinity; fix or remove the row (an empty label drops the series)', { file, line: lineOf(bad.rn), recordId: String(bad.id), field: src.label, value: String(bad.label), expected: 'a class name or a finite number' });
    }
    const groups = await this.rows(`SELECT id, min(rn) AS first, max(rn) AS last, count(*) AS n, first(label ORDER BY rn) FILTER (WHERE label <> '') AS label FROM s GROUP BY id ORDER BY first`);
    const split = groups.find((g) => Number(g.last) - Number(g.first) + 1 !== Number(g.n));
    if (split) {
      const starts = await this.rows(`SELECT rn, id FROM (SELECT rn, id, lag(id) OVER (ORDER BY rn) AS p FROM s) WHERE p IS DISTINCT FROM id ORDER BY rn`);
      const seen = new Set<string>();
      const again = starts.find((r) => seen.size === seen.add(String(r.id)).size) ?? starts[0]!;
      throw new MetaseriesError('LOAD_UNGROUPED_IDS', 'the rows of one id must be contiguous (sort the file by id, then time)', { file, line: lineOf(again.rn), recordId: String(again.id), field: idCol, value: String(again.id) });
    }
    const runs: Run[] = [];
    let total = 0;
    for (const g of groups) {
      runs.push({ id: String(g.id), offset: total, n: Number(g.n) });
      total += Number(g.n);
    }
    const idAt = (i: number): string => runs.find((r) => i >= r.offset && i < r.offset + r.n)?.id ?? '';
    // every row straight into its record's typed buffers at its row number (no sort), checked on the way
    const bufs = runs.map(({ n }) => ({ times: new Float64Array(n), values: channels.map(() => new Float32Array(n)) }));
    const runAt = (i: number): number => {
      let lo = 0;
      let hi = runs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (runs[mid]!.offset <= i) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    let badTime = total;
    let badValue = total;
    let badChannel = 0;
    let badNumber = 0;
    const result = await this.conn.stream(`SELECT rowid::INTEGER AS i, coalesce(t, 'NaN'::DOUBLE) AS t${channels.map((_, k) => `, coalesce(ch${k}, 'NaN'::DOUBLE) AS ch${k}`).join('')} FROM s0`);
    let cur = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const rowCount = chunk.rowCount;
      const iv = vectorItems(chunk.getColumnVector(0), Int32Array);
      const tv = vectorItems(chunk.getColumnVector(1), Float64Array);
      const cv = channels.map((_, k) => vectorItems(chunk.getColumnVector(k + 2), Float64Array));
      for (let r = 0; r < rowCount; r++) {
        const i = iv[r]!;
        let run = runs[cur]!;
        if (i < run.offset || i >= run.offset + run.n) run = runs[(cur = runAt(i))]!;
        const at = i - run.offset;
        const buf = bufs[cur]!;
        const t = tv[r]!;
        if (!Number.isFinite(t) && i < badTime) badTime = i;
        buf.times[at] = t;
        for (let k = 0; k < cv.length; k++) {
          const v = cv[k]![r]!;
          if (!(Math.abs(v) <= FLOAT32_MAX) && v === v && (i < badValue || (i === badValue && k < badChannel))) {
            badValue = i;
            badChannel = k;
            badNumber = v;
          }
          buf.values[k]![at] = v;
        }
      }
    }
    if (badTime < total && badTime <= badValue) {
      throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a row has no valid time stamp', { file, line: lineOf(badTime + 1), recordId: idAt(badTime), field: timeCol, expected: time.unit === 'ms' ? 'a date-time' : 'a number' });
    }
    if (badValue < total) {
      throw new MetaseriesError('LOAD_BAD_VALUE', Number.isFinite(badNumber) ? 'a series value is outside the float32 range' : 'a series value is not a finite number', {
        file,
        line: lineOf(badValue + 1),
        recordId: idAt(badValue),
        field: channels[badChannel]!,
        value: String(badNumber),
        expected: 'a finite number within ±3.4e38 (or empty / NA / ? for missing)',
      });
    }
    const records = new Map<string, SeriesRecord>();
    const origins = new Map<string, RecordOrigin>();
    const show = (x: number) => (time.unit === 'ms' ? new Date(x).toISOString() : String(x));
    for (const [j, { id, n }] of runs.entries()) {
      const { times, values } = bufs[j]!;
      for (let i = 1; i < n; i++) {
        if (!(times[i]! > times[i - 1]!)) {
          const dup = times[i] === times[i - 1];
          throw new MetaseriesError(dup ? 'LOAD_DUPLICATE_TIME' : 'LOAD_UNORDERED_TIMES', dup ? 'two rows of one series have the same time' : 'series times must increase within a record', {
            file,
            line: lineOf(runs[j]!.offset + i + 1),
            recordId: id,
            field: timeCol,
            value: show(times[i]!),
            expected: `> ${show(times[i - 1]!)}`,
          });
        }
      }
      const g = groups[j]!;
      records.set(id, { id, values, times, metadata: {}, ...(g.label !== null && g.label !== undefined ? { label: String(g.label) } : {}) });
      origins.set(id, { file, line: lineOf(g.first) });
    }
    this.runs = runs;
    return { records, channels, timeUnit: time.unit, origins };
  }

  /**
   * Reads context tables into `record.context` (as the JS engine: one track per id merged over the
   * tables, sorted by time, equal stamps in table then file order) and keeps the merged rows in the
   * session for {@link align}. Returns how many rows named an id with no series (ignored).
   */
  async loadContext(tables: ContextTable[], records: Map<string, SeriesRecord>, timeUnit: 'ms' | 'step'): Promise<number> {
    if (tables.length === 0) return 0;
    const names = tables.flatMap((t) => t.fields.map(([f]) => f));
    const kinds = new Map(tables.flatMap((t) => t.fields));
    const selects: string[] = [];
    for (const table of tables) {
      const { file } = table;
      await checkFile(file);
      const types = Object.fromEntries([[table.id, 'VARCHAR'], ...table.fields.map(([f, kind]) => [f, kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'])]);
      let source = this.csvSource(file, types, [table.id]);
      const found = await this.describe(source, file);
      for (const c of [table.id, table.time, ...table.fields.map(([f]) => f)]) {
        if (!found.has(c)) throw new MetaseriesError('LOAD_MISSING_COLUMN', `the file has no column "${c}"`, { file, line: 1, field: c, value: [...found.keys()].join(','), expected: `a column named ${c}` });
      }
      let time = timeExpression(table.time, found.get(table.time)!);
      if (!time) {
        // no rows, or stamps the sniffer could not read: the series unit, and the failing line is named
        const type = timeUnit === 'ms' ? 'TIMESTAMPTZ' : 'DOUBLE';
        source = this.csvSource(file, { ...types, [table.time]: type }, [table.id]);
        time = timeExpression(table.time, type)!;
      }
      if (time.unit !== timeUnit) {
        throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'context times must be in the series time unit', { file, field: table.time, value: found.get(table.time), expected: timeUnit === 'ms' ? 'a date-time, as the series times' : 'a number, as the series times' });
      }
      const own = new Set(table.fields.map(([f]) => f));
      const cols = names.map((f, j) => {
        const kind = kinds.get(f)!;
        if (!own.has(f)) return `NULL::${kind === 'numeric' ? 'DOUBLE' : kind === 'boolean' ? 'BOOLEAN' : 'VARCHAR'} AS f${j}`;
        const c = ident(f);
        if (kind === 'numeric') return `CASE WHEN isnan(${c}) THEN NULL WHEN isinf(${c}) THEN error('${MARK}a context value is not a finite number: ' || ${c}::VARCHAR) ELSE ${c} END AS f${j}`;
        const text = `nullif(trim(${c}), '')`;
        if (kind === 'boolean') {
          return `CASE WHEN ${text} IS NULL OR regexp_matches(${text}, '^(na|nan|null|none|\\?)$', 'i') THEN NULL WHEN regexp_matches(${text}, '^(true|yes|1|t|y)$', 'i') THEN true WHEN regexp_matches(${text}, '^(false|no|0|f|n)$', 'i') THEN false ELSE error('${MARK}a boolean field holds a value that is not a flag: ' || ${text}) END AS f${j}`;
        }
        return `CASE WHEN regexp_matches(${text}, '^(na|nan|null|none|\\?)$', 'i') THEN NULL ELSE ${text} END AS f${j}`;
      });
      selects.push(`SELECT trim(${ident(table.id)}) AS id, ${time.sql} AS t, ${cols.join(', ')} FROM ${source}`);
    }
    let ignored: number;
    try {
      // each table in file order (insertion order: rowid + 1 is the row number), then merged
      for (const [k, sql] of selects.entries()) {
        await this.conn.run(`DROP TABLE IF EXISTS t${k}`);
        await this.conn.run(`CREATE TEMP TABLE t${k} AS ${sql}`);
      }
      const merged = selects.map((_, k) => `SELECT ${k} AS tbl, rowid + 1 AS rn, * FROM t${k}`).join(' UNION ALL ');
      const badTime = (await this.rows(`SELECT tbl, rn, id FROM (${merged}) WHERE t IS NULL OR NOT isfinite(t) LIMIT 1`))[0];
      if (badTime) {
        const table = tables[Number(badTime.tbl)]!;
        throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'a context row has no valid time stamp', { file: table.file, line: Number(badTime.rn) + 1, recordId: String(badTime.id), field: table.time });
      }
      await this.conn.run('DROP TABLE IF EXISTS c');
      // k: the row's index in its id's track (sorted by time; equal stamps in table, then file order)
      await this.conn.run(`CREATE TEMP TABLE c AS SELECT *, (row_number() OVER (PARTITION BY id ORDER BY t, tbl, rn) - 1)::INTEGER AS k FROM (${merged}) SEMI JOIN (SELECT DISTINCT id FROM s0) USING (id)`);
      const read = Number((await this.rows(`SELECT ${selects.map((_, k) => `(SELECT count(*) FROM t${k})`).join(' + ')} AS n`))[0]!.n);
      ignored = read - Number((await this.rows('SELECT count(*) AS n FROM c'))[0]!.n);
      for (const k of selects.keys()) await this.conn.run(`DROP TABLE t${k}`);
    } catch (e) {
      throw loadError(e, tables.map((t) => t.file).join(', '), tables.length === 1 ? tables[0]!.time : undefined);
    }
    // one track per id, rows in track order: times straight from DuckDB's buffer, values as JS values
    const counts = await this.rows('SELECT id, count(*) AS n FROM c GROUP BY id ORDER BY id');
    const result = await this.conn.stream(`SELECT t${names.map((_, j) => `, f${j}`).join('')} FROM c ORDER BY id, k`);
    let track = -1;
    let at = 0;
    let n = 0;
    let times = new Float64Array(0);
    let values: ContextValue[][] = [];
    const next = () => {
      track++;
      const g = counts[track]!;
      n = Number(g.n);
      at = 0;
      times = new Float64Array(n);
      values = names.map(() => new Array<ContextValue>(n));
      records.get(String(g.id))!.context = { times, values: Object.fromEntries(names.map((f, j) => [f, values[j]!])) };
    };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const tv = vectorItems(chunk.getColumnVector(0), Float64Array);
      const fv = names.map((_, j) => chunk.getColumnVector(j + 1));
      for (let r = 0; r < chunk.rowCount; r++) {
        while (at === n) next();
        times[at] = tv[r]!;
        for (let j = 0; j < fv.length; j++) values[j]![at] = fv[j]!.getItem(r) as ContextValue;
        at++;
      }
    }
    this.contextFields = names;
    return ignored;
  }

  /**
   * Fills `record.alignedContext` of the records read by {@link loadSeries}: `asof` and `ffill`
   * fields with DuckDB's ASOF JOIN, under the JS engine's rules — the last row stamped at or before
   * the step, of equal stamps the last one (ties are reduced to their last row before the join),
   * `ffill` over the rows where the field is present, missing when that row is older than
   * `tolerance`, when no row precedes the step, or (`asof`) when the row's value is missing.
   * `linear` and `nearest` fields go through the JS `alignContext`.
   */
  async align(fields: Record<string, ContextFieldSchema>, records: SeriesRecord[]): Promise<void> {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const col = new Map(this.contextFields.map((f, j) => [f, `f${j}`]));
    const sqlFields = entries.filter(([name, f]) => col.has(name) && (f.align === 'asof' || f.align === 'ffill'));
    const picks = new Map<string, Int32Array>(); // field → per series row (rn order), the track index or -1
    if (sqlFields.length) {
      const joins: string[] = [];
      const selects: string[] = [];
      const tol = (alias: string, f: ContextFieldSchema) => (f.tolerance !== undefined && Number.isFinite(f.tolerance) ? ` AND s.t - ${alias}.t <= ${f.tolerance}` : '');
      if (sqlFields.some(([, f]) => f.align === 'asof')) {
        // ties: keep the last row of each (id, time) — the JS rule (pandas' merge_asof), not DuckDB's first
        joins.push(`ASOF LEFT JOIN (SELECT * FROM c QUALIFY row_number() OVER (PARTITION BY id, t ORDER BY k DESC) = 1) la ON s.id = la.id AND s.t >= la.t`);
      }
      for (const [j, [name, f]] of sqlFields.entries()) {
        const c = col.get(name)!;
        if (f.align === 'asof') selects.push(`CASE WHEN la.k IS NOT NULL AND la.${c} IS NOT NULL${tol('la', f)} THEN la.k ELSE -1 END::INTEGER AS p${j}`);
        else {
          joins.push(`ASOF LEFT JOIN (SELECT id, t, max(k) AS k FROM c WHERE ${c} IS NOT NULL GROUP BY id, t) l${j} ON s.id = l${j}.id AND s.t >= l${j}.t`);
          selects.push(`CASE WHEN l${j}.k IS NOT NULL${tol(`l${j}`, f)} THEN l${j}.k ELSE -1 END::INTEGER AS p${j}`);
        }
      }
      const total = this.runs.reduce((a, r) => a + r.n, 0);
      const out = sqlFields.map(() => new Int32Array(total));
      // each row's picks written at its row number: no sort of the join's output
      const result = await this.conn.stream(`SELECT (s.rn - 1)::INTEGER AS i, ${selects.join(', ')} FROM s ${joins.join(' ')}`);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const iv = vectorItems(chunk.getColumnVector(0), Int32Array);
        for (let j = 0; j < out.length; j++) {
          const v = vectorItems(chunk.getColumnVector(j + 1), Int32Array);
          const o = out[j]!;
          for (let r = 0; r < chunk.rowCount; r++) o[iv[r]!] = v[r]!;
        }
      }
      for (const [j, [name]] of sqlFields.entries()) picks.set(name, out[j]!);
    }
    const runOf = new Map(this.runs.map((r) => [r.id, r]));
    for (const r of records) {
      const T = r.values[0]?.length ?? 0;
      const aligned: AlignedContext = { values: {}, mask: {} };
      const run = runOf.get(r.id);
      for (const [name, f] of entries) {
        const track = r.context;
        const pick = picks.get(name);
        if (!track) {
          aligned.values[name] = new Array<ContextValue>(T).fill(null);
          aligned.mask[name] = new Uint8Array(T);
        } else if (pick && run && run.n === T) {
          const raw = track.values[name] ?? [];
          const values = new Array<ContextValue>(T);
          const mask = new Uint8Array(T);
          for (let i = 0; i < T; i++) {
            const k = pick[run.offset + i]!;
            if (k >= 0) {
              values[i] = raw[k]!;
              mask[i] = 1;
            } else values[i] = null;
          }
          aligned.values[name] = values;
          aligned.mask[name] = mask;
        } else {
          const times = r.times ?? Float64Array.from({ length: T }, (_, i) => i);
          const a = alignContext(times, track, name, f, { recordId: r.id });
          aligned.values[name] = a.values;
          aligned.mask[name] = a.mask;
        }
      }
      r.alignedContext = aligned;
    }
  }

}

/** Options of {@link openDuckDb}. */
export interface DuckDbOpenOptions {
  /** DuckDB worker threads. Default: DuckDB's choice (the number of cores). */
  threads?: number;
  /** The module to import (tests name a missing one). Default: `'@duckdb/node-api'`. */
  packageName?: string;
}

/** Opens the DuckDB engine; `DATA_ENGINE_UNAVAILABLE` when `@duckdb/node-api` is not installed. */
export async function openDuckDb(options: DuckDbOpenOptions = {}): Promise<DuckDbSession> {
  return DuckDbSession.open(options);
}
