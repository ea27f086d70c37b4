import { MetaseriesError, type Dataset, type SeriesRecord } from '@metaseries/core';
import { readLineBatches, DEFAULT_MAX_LINE_LENGTH } from './read-lines.js';
import { FLOAT32_MAX } from './series-parts.js';
import { parseTime } from './read-csv.js';

/** Splits a timestamped case on `:` outside parentheses (date-times hold colons). */
function splitOutsideParens(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Parses `(t,v),(t,v),…` of one dimension. */
function parseStampedDim(d: string, where: { file: string; line: number; field: string }): { times: Float64Array; values: Float32Array; isDate?: boolean } {
  const times: number[] = [];
  const values: number[] = [];
  let isDate: boolean | undefined;
  const re = /\(([^,()]*),([^,()]*)\)\s*(,|$)/y;
  const s = d.trim();
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) throw new MetaseriesError('LOAD_BAD_LINE', 'a timestamped dimension must read (time,value),(time,value),…', { ...where, value: s.slice(0, 60) });
    const t = parseTime(m[1]!, where);
    isDate ??= t.isDate;
    if (times.length && !(t.value > times[times.length - 1]!)) {
      throw new MetaseriesError('LOAD_UNORDERED_TIMES', 'the time stamps of a case must increase', { ...where, value: m[1], expected: `> ${times[times.length - 1]}` });
    }
    times.push(t.value);
    const c = m[2]!.trim();
    const n = Number(c);
    if (c === '?' || c.toLowerCase() === 'nan') values.push(NaN);
    else if (c === '' || !Number.isFinite(n) || Math.abs(n) > FLOAT32_MAX) throw new MetaseriesError('LOAD_BAD_VALUE', 'a series value is not a number', { ...where, value: c, expected: 'a finite number within ±3.4e38, or ?' });
    else values.push(n);
    if (m[3] === '') break;
  }
  return { times: Float64Array.from(times), values: Float32Array.from(values), ...(isDate !== undefined ? { isDate } : {}) };
}

/** What the header of a `.ts` file declared. */
export interface TsHeader {
  problemName?: string;
  timeStamps?: boolean;
  missing?: boolean;
  univariate?: boolean;
  dimensions?: number;
  equalLength?: boolean;
  seriesLength?: number;
  classLabels?: string[];
}

/** Options of {@link readTsFile}. */
export interface ReadTsOptions {
  /** Prefix of record ids (`<prefix><line index>`). Default: the file's problem name and `_`. */
  idPrefix?: string;
  /** Channel names. Default: `dim_0`, `dim_1`, … */
  channels?: string[];
  /** Longest accepted line, in characters (bounds memory). Default: 64 MiB. */
  maxLineLength?: number;
}

function parseBool(v: string | undefined, file: string, line: number, key: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new MetaseriesError('LOAD_BAD_HEADER', `@${key} must be true or false`, { file, line, field: `@${key}`, value: v, expected: 'true | false' });
}

/**
 * Reads an sktime/aeon `.ts` file: univariate or multivariate, equal or unequal length, `?` or
 * `NaN` for missing values, class labels. With `@timeStamps true` each dimension is
 * `(time,value),(time,value),…` (numbers or ISO date-times → epoch ms); the dimensions of a case
 * must share their time stamps, which become `record.times`.
 */
export async function readTsFile(file: string, options: ReadTsOptions = {}): Promise<Dataset & { header: TsHeader; lines: number[] }> {
  const header: TsHeader = {};
  const records: SeriesRecord[] = [];
  const lines: number[] = [];
  let inData = false;
  let dims = -1;
  let isDate: boolean | undefined;
  for await (const { lines: batch, first: firstLine } of readLineBatches(file, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH)) for (let bi = 0; bi < batch.length; bi++) {
    const raw = batch[bi]!;
    const line = firstLine + bi;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (!inData) {
      if (!text.startsWith('@')) throw new MetaseriesError('LOAD_BAD_HEADER', 'expected a header line (@...) before @data', { file, line, value: text.slice(0, 40) });
      const [key, ...rest] = text.slice(1).split(/\s+/);
      const k = key!.toLowerCase();
      const v = rest[0];
      if (k === 'data') {
        inData = true;
        continue;
      }
      if (k === 'problemname') header.problemName = rest.join(' ');
      else if (k === 'timestamps') header.timeStamps = parseBool(v, file, line, key!);
      else if (k === 'missing') header.missing = parseBool(v, file, line, key!);
      else if (k === 'univariate') header.univariate = parseBool(v, file, line, key!);
      else if (k === 'equallength') header.equalLength = parseBool(v, file, line, key!);
      else if (k === 'dimensions' || k === 'serieslength') {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new MetaseriesError('LOAD_BAD_HEADER', `@${key} must be a positive integer`, { file, line, field: `@${key}`, value: v, expected: 'integer >= 1' });
        if (k === 'dimensions') header.dimensions = n;
        else header.seriesLength = n;
      } else if (k === 'classlabel') {
        if (parseBool(v, file, line, key!)) header.classLabels = rest.slice(1);
      }
      // other @ keys (e.g. @targetlabel) are ignored
      continue;
    }
    const parts = header.timeStamps ? splitOutsideParens(text) : text.split(':');
    const hasLabel = header.classLabels !== undefined;
    const dimParts = hasLabel ? parts.slice(0, -1) : parts;
    if (dims < 0) dims = dimParts.length;
    const expectedDims = header.dimensions ?? (header.univariate ? 1 : dims);
    if (dimParts.length !== expectedDims) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'a case has another number of dimensions than declared', {
        file,
        line,
        recordId: `${options.idPrefix ?? `${header.problemName ?? 'case'}_`}${records.length}`,
        value: dimParts.length,
        expected: String(expectedDims),
      });
    }
    let times: Float64Array | undefined;
    const values = dimParts.map((d, di) => {
      if (header.timeStamps) {
        const pairs = parseStampedDim(d, { file, line, field: `dim_${di}` });
        if (pairs.isDate !== undefined) {
          if (isDate === undefined) isDate = pairs.isDate;
          else if (isDate !== pairs.isDate) throw new MetaseriesError('LOAD_BAD_TIMESTAMP', 'time stamps mix plain numbers and date-times', { file, line, field: `dim_${di}` });
        }
        if (times && (times.length !== pairs.times.length || times.some((t, i) => t !== pairs.times[i]))) {
          throw new MetaseriesError('LOAD_BAD_LINE', 'the dimensions of a case must share their time stamps', { file, line, field: `dim_${di}`, expected: 'the time stamps of dim_0' });
        }
        times = pairs.times;
        return pairs.values;
      }
      const cells = d.split(',');
      const out = new Float32Array(cells.length);
      for (let i = 0; i < cells.length; i++) {
        const raw = cells[i]!;
        const fast = raw === '' ? NaN : Number(raw); // Number() trims; '' would read as 0
        if (Number.isFinite(fast) && Math.abs(fast) <= FLOAT32_MAX && (fast !== 0 || raw.trim() !== '')) {
          out[i] = fast;
          continue;
        }
        const c = raw.trim();
        if (c === '?' || c.toLowerCase() === 'nan') out[i] = NaN;
        else {
          const n = Number(c);
          if (c === '' || !Number.isFinite(n) || Math.abs(n) > FLOAT32_MAX) {
            throw new MetaseriesError('LOAD_BAD_VALUE', 'a series value is not a number', { file, line, field: `dim_${di}`, value: c, expected: 'a finite number within ±3.4e38, or ?' });
          }
          out[i] = n;
        }
      }
      return out;
    });
    const len = values[0]!.length;
    if (values.some((v) => v.length !== len)) {
      throw new MetaseriesError('LOAD_BAD_LINE', 'the dimensions of a case have different lengths', { file, line, value: values.map((v) => v.length).join('/'), expected: 'equal lengths' });
    }
    let label: string | undefined;
    if (hasLabel) {
      label = parts[parts.length - 1]!.trim();
      if (header.classLabels!.length > 0 && !header.classLabels!.includes(label)) {
        throw new MetaseriesError('LOAD_UNKNOWN_LABEL', 'a case has a class label the header does not declare', { file, line, field: 'label', value: label, expected: header.classLabels!.join(', ') });
      }
    }
    lines.push(line);
    records.push({ id: `${options.idPrefix ?? `${header.problemName ?? 'case'}_`}${records.length}`, values, ...(times ? { times } : {}), metadata: {}, ...(label !== undefined ? { label } : {}) });
  }
  if (!inData) throw new MetaseriesError('LOAD_BAD_HEADER', 'the file has no @data line', { file });
  const nDims = records[0]?.values.length ?? header.dimensions ?? 1;
  const channels = options.channels ?? Array.from({ length: nDims }, (_, i) => `dim_${i}`);
  return {
    header,
    lines,
    schema: {
      version: 1,
      channels,
      metadata: {},
      context: {},
      timeUnit: isDate ? 'ms' : 'step',
      label: { name: 'label', task: header.classLabels && header.classLabels.length === 2 ? 'binary' : 'multiclass', ...(header.classLabels?.length ? { classes: header.classLabels } : {}) },
    },
    records,
  };
}
