import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { isMetaseriesError } from '@metaseries/core';
import { parseDecimal, RowParser, dateTimeBytes } from './fast-csv.js';
import { parseTime } from './read-csv.js';
import { loadDataset } from './load-dataset.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('parseDecimal (the fast path number parser)', () => {
  it('gives exactly Number() or NaN (= ask the general parser) for any text', () => {
    const numberText = fc.oneof(
      fc.double({ noNaN: true }).map((x) => String(x)),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }).chain((x) => fc.integer({ min: 0, max: 17 }).map((d) => x.toFixed(d))),
      fc.double({ noNaN: true }).chain((x) => fc.integer({ min: 0, max: 20 }).map((d) => x.toExponential(d))),
      fc.integer({ min: -1e15, max: 1e15 }).map(String),
      fc.stringMatching(/^[+-]?[0-9]{0,20}(\.[0-9]{0,20})?([eE][+-]?[0-9]{0,6})?$/),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(numberText, (s) => {
        const v = parseDecimal(bytes(s), 0, s.length);
        if (Number.isNaN(v)) return true;
        return Object.is(v, Number(s)) && s.trim() === s && s !== '';
      }),
      { numRuns: 5000, seed: 11 },
    );
  });

  it('takes the common forms itself', () => {
    for (const s of ['0', '-0', '12', '-3.25', '+.5', '5.', '1e5', '2.5E-3', '1700000000', '0.000001', '123456789012345', '1234567890123456', '9007199254740991']) {
      expect(Object.is(parseDecimal(bytes(s), 0, s.length), Number(s))).toBe(true);
    }
    for (const s of ['', ' 1', '1 ', 'NA', '?', '0x10', '1e', '.', '-', '1.2.3', '12345678901234567890', '9007199254740993', 'Infinity', '1e999']) {
      expect(parseDecimal(bytes(s), 0, s.length)).toBeNaN();
    }
  });
});

describe('dateTimeBytes (date-times without a string)', () => {
  it('gives what parseTime gives for YYYY-MM-DD HH:MM:SS forms, NaN for the rest', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    const text = fc.oneof(
      fc
        .tuple(fc.integer({ min: 1899, max: 2101 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.constantFrom(' ', 'T', '_'), fc.constantFrom('', 'Z', 'z', '+01:00'))
        .map(([y, mo, d, h, mi, sec, sep, zone]) => `${y}-${two(mo)}-${two(d)}${sep}${two(h)}:${two(mi)}:${two(sec)}${zone}`),
      fc.constantFrom('2024-02-29 12:00:00', '2023-02-29 12:00:00', '2000-02-29T00:00:00Z', '1900-02-29 00:00:00', '2024-01-01', '2024-01-01 1:00:00', '17'),
    );
    fc.assert(
      fc.property(text, (s) => {
        const v = dateTimeBytes(Buffer.from(s, 'latin1'), 0, s.length);
        let expected: number;
        try {
          expected = parseTime(s, { file: 'f', line: 1, field: 'time' }).value;
        } catch {
          expected = NaN;
        }
        // the byte form is a subset: where it answers, it answers as parseTime does
        return Number.isNaN(v) || v === expected;
      }),
      { numRuns: 3000, seed: 17 },
    );
    expect(dateTimeBytes(Buffer.from('2024-03-01 10:20:30'), 0, 19)).toBe(Date.UTC(2024, 2, 1, 10, 20, 30));
    expect(dateTimeBytes(Buffer.from('2023-02-29 10:20:30'), 0, 19)).toBeNaN();
  });
});

describe('RowParser (one pass over the bytes of each line)', () => {
  /** Parses `text` with column 1 numeric; returns what the callback saw per line, and the lines sent to the general path. */
  function run(text: string, columns = 3): { rows: Array<[number, number, string]>; general: number[] } {
    const rows: Array<[number, number, string]> = [];
    const general: number[] = [];
    const buf = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'latin1');
    const parser: RowParser = new RowParser(columns, [1], (b, line) => {
      rows.push([line, parser.nums[1]!, Buffer.from(b.subarray(parser.starts[0]!, parser.ends[0]!)).toString('latin1')]);
      return true;
    });
    parser.parse(buf, 0, buf.length, 1, (_b, _s, _e, line) => general.push(line), 1000);
    return { rows, general };
  }

  it('reads a numeric cell exactly as parseDecimal does, whatever its text', () => {
    const cell = fc.oneof(
      fc.double({ noNaN: true }).map((x) => String(x)),
      fc.stringMatching(/^[+-]?[0-9]{0,18}(\.[0-9]{0,18})?([eE][+-]?[0-9]{0,7})?$/),
      fc.string({ maxLength: 6 }).filter((x) => !/[,\n\r"\u0080-\uffff]/.test(x)),
    );
    fc.assert(
      fc.property(cell, (c) => {
        const { rows, general } = run(`id,${c},z`);
        expect(general).toEqual([]);
        expect(Object.is(rows[0]![1], parseDecimal(Buffer.from(c, 'latin1'), 0, c.length))).toBe(true);
      }),
      { numRuns: 5000, seed: 3 },
    );
  });

  it('counts lines, skips blank ones, sends odd lines (cells, quotes, bytes, CR, length) to the general path', () => {
    const text = ['a,1,x', '', 'b,2', 'c,3,x,y', 'd,"4",x', 'e,5,\u00e9', 'f,6\r,x', 'g,7,x\r', '\r', `h,8,${'x'.repeat(1001)}`, 'i,-0,x'].join('\n');
    const { rows, general } = run(text);
    expect(rows.map(([line, v, id]) => [line, v, id])).toEqual([
      [1, 1, 'a'],
      [8, 7, 'g'],
      [11, -0, 'i'],
    ]);
    expect(general).toEqual([3, 4, 5, 6, 7, 10]);
  });
});

/** Loads `text` as a long CSV: the records' contents, or the error's code and details. */
async function outcome(text: string): Promise<unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fast-csv-'));
  writeFileSync(path.join(dir, 's.csv'), text);
  try {
    const { dataset } = await loadDataset({ series: { path: 's.csv', format: 'long', label: 'y' } }, { baseDir: dir });
    return {
      unit: dataset.schema.timeUnit,
      records: dataset.records.map((r) => ({ id: r.id, label: r.label, times: [...r.times!], values: r.values.map((v) => [...v]) })),
    };
  } catch (e) {
    if (!isMetaseriesError(e)) throw e;
    const { file: _file, ...details } = e.details as Record<string, unknown>;
    return { code: e.code, details };
  }
}

/** Every cell quoted: the line goes through papaparse (the general path), the cells stay the same. */
const quoted = (rows: string[][]) => rows.map((r) => r.map((c) => `"${c}"`).join(',')).join('\n') + '\n';
const plain = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';

describe('long CSV fast path', () => {
  const cell = fc.oneof(
    { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => x.toFixed(3)) },
    { weight: 1, arbitrary: fc.constantFrom('', 'NA', ' 2.5', '?', '1e39', '0x1F', '12345678901234567', 'abc', '-0', '.5', '1e-7', 'nan') },
  );
  const time = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 30 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('2024-01-01 00:00:00', '2024-01-01T01:00:00Z', '2024-02-30', 'soon', '', ' 7', '1.5') },
  );
  const row = fc.tuple(fc.constantFrom('p1', 'p2', 'p3', '', ' p1'), time, cell, cell, fc.constantFrom('', 'a', 'b', 'NaN'));

  it('loads every file exactly as the general parser does: same records, same error and location', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), async (rows) => {
        const table = [['id', 'time', 'hr', 'temp', 'y'], ...rows.map((r) => [...r])];
        expect(await outcome(plain(table))).toEqual(await outcome(quoted(table)));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('keeps file order and sorts well-formed files through the fast path', async () => {
    const rows = [['id', 'time', 'hr', 'temp', 'y']];
    for (let i = 0; i < 2000; i++) rows.push([`m${Math.floor(i / 100)}`, String(10 * (i % 100)), (i / 7).toFixed(4), i % 13 === 0 ? '' : String(-i), i % 100 === 0 ? 'ok' : '']);
    const fast = await outcome(plain(rows));
    expect(fast).toEqual(await outcome(quoted(rows)));
    expect((fast as { records: unknown[] }).records).toHaveLength(20);
  });

  it('reports a wrong column count, an unordered time and invalid UTF-8 with their lines', async () => {
    expect(await outcome('id,time,hr,temp,y\np1,0,1,2,a\np1,1,1,2\n')).toMatchObject({ code: 'LOAD_BAD_LINE', details: { line: 3 } });
    expect(await outcome('id,time,hr,temp,y\np1,5,1,2,a\np1,5,1,2,a\n')).toMatchObject({ code: 'LOAD_DUPLICATE_TIME', details: { line: 3, value: '5', expected: '> 5' } });
    const bad = Buffer.concat([Buffer.from('id,time,hr,temp,y\np1,0,1,2,a\np1,1,'), Buffer.from([0xff, 0xfe]), Buffer.from(',2,a\n')]);
    const dir = mkdtempSync(path.join(tmpdir(), 'fast-csv-'));
    writeFileSync(path.join(dir, 's.csv'), bad);
    await expect(loadDataset({ series: { path: 's.csv', format: 'long', label: 'y' } }, { baseDir: dir })).rejects.toMatchObject({ code: 'LOAD_BAD_ENCODING', details: { line: 3 } });
  });

  it('reads a byte-order mark, CRLF line ends and a last line without newline', async () => {
    const text = '\ufeffid,time,hr,temp,y\r\np1,0,1.5,2,a\r\np1,1,2.5,,a';
    expect(await outcome(text)).toEqual({ unit: 'step', records: [{ id: 'p1', label: 'a', times: [0, 1], values: [[1.5, 2.5], [2, NaN]] }] });
  });
});

/** Loads a fixed series with `context` as its context table: the tracks, or the error. */
async function contextOutcome(context: string, unit: 'step' | 'ms' = 'step'): Promise<unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fast-ctx-'));
  const series = unit === 'step' ? 'id,time,hr\np1,0,1\np1,10,2\np2,0,3\n' : 'id,time,hr\np1,2024-01-01 00:00:00,1\np2,2024-01-01 00:00:00,3\n';
  writeFileSync(path.join(dir, 's.csv'), series);
  writeFileSync(path.join(dir, 'c.csv'), context);
  writeFileSync(path.join(dir, 'l.csv'), 'id,label\np1,a\np2,b\n');
  try {
    const { dataset, counts } = await loadDataset(
      { series: { path: 's.csv', format: 'long' }, context: { path: 'c.csv', fields: { mode: 'categorical', load: 'numeric', on: 'boolean' } }, labels: { path: 'l.csv' } },
      { baseDir: dir },
    );
    return { ignored: counts.ignoredContextRows, tracks: dataset.records.map((r) => (r.context ? { times: [...r.context.times], values: r.context.values } : null)) };
  } catch (e) {
    if (!isMetaseriesError(e)) throw e;
    const { file: _file, ...details } = e.details as Record<string, unknown>;
    return { code: e.code, details };
  }
}

describe('context table fast path', () => {
  const row = fc.tuple(
    fc.constantFrom('p1', 'p2', 'ghost', ' p1', ''),
    fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -5, max: 20 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('2024-01-01 00:00:00', 'x', '', '2.5') }),
    fc.constantFrom('idle', 'load', '', 'NA', ' load'),
    fc.oneof({ weight: 5, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }).map((x) => x.toFixed(2)) }, { weight: 1, arbitrary: fc.constantFrom('', 'NA', 'abc', '1e400', ' 3') }),
    fc.constantFrom('true', '0', 'yes', '', 'maybe'),
  );

  it('reads every table exactly as the general parser does (unsorted rows, equal stamps, ignored ids, errors)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 15 }), async (rows) => {
        const table = [['id', 'time', 'mode', 'load', 'on'], ...rows.map((r) => [...r])];
        expect(await contextOutcome(plain(table))).toEqual(await contextOutcome(quoted(table)));
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('sorts a track by time and keeps file order among equal stamps', async () => {
    const out = (await contextOutcome('id,time,mode,load,on\np1,5,b,1,true\np1,0,a,2,0\np1,5,c,3,yes\n')) as { tracks: Array<{ times: number[]; values: Record<string, unknown[]> }> };
    expect(out.tracks[0]).toEqual({ times: [0, 5, 5], values: { mode: ['a', 'b', 'c'], load: [2, 1, 3], on: [false, true, true] } });
  });

  it('refuses context in another time unit than the series', async () => {
    expect(await contextOutcome('id,time,mode,load,on\np1,5,a,1,true\n', 'ms')).toMatchObject({ code: 'LOAD_BAD_TIMESTAMP', details: { line: 2, value: '5' } });
  });
});
