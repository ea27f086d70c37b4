import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMetaseriesError, type MetaseriesError } from '@metaseries/core';
import { parquetWriteFile } from 'hyparquet-writer';
import { loadDataset, type DataConfig } from './load-dataset.js';

function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'formats-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function failure(config: DataConfig, dir: string, options = {}): Promise<MetaseriesError> {
  const err = await loadDataset(config, { baseDir: dir, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMetaseriesError(err)) throw new Error(`expected a MetaseriesError, got ${String(err)}`);
  return err;
}

describe('wide CSV', () => {
  it('reads univariate t0..tN rows with labels; trailing empty steps give unequal lengths', async () => {
    const dir = folder({ 'w.csv': 'id,label,t0,t1,t2\na,x,1,2,3\nb,y,4,,\nc,x,5,?,6\n' });
    const { dataset } = await loadDataset({ series: { path: 'w.csv', format: 'wide', label: 'label' } }, { baseDir: dir });
    expect(dataset.schema.channels).toEqual(['value']);
    expect(dataset.records.map((r) => [r.id, r.label, r.values[0]!.length])).toEqual([
      ['a', 'x', 3],
      ['b', 'y', 1],
      ['c', 'x', 3],
    ]);
    expect(Number.isNaN(dataset.records[2]!.values[0]![1]!)).toBe(true);
    expect(dataset.records[0]!.times).toBeUndefined();
  });

  it('reads <channel>__<t> columns as channels with their time stamps', async () => {
    const dir = folder({ 'w.csv': 'id,hr__0,hr__10,temp__0,temp__10\np1,80,82,36.5,36.6\n', 'l.csv': 'id,label\np1,ok\n' });
    const { dataset } = await loadDataset({ series: { path: 'w.csv', format: 'wide' }, labels: { path: 'l.csv' } }, { baseDir: dir });
    expect(dataset.schema.channels).toEqual(['hr', 'temp']);
    const r = dataset.records[0]!;
    expect(Array.from(r.values[1]!)).toEqual([Math.fround(36.5), Math.fround(36.6)]);
    expect(Array.from(r.times!)).toEqual([0, 10]);
  });

  it('drops and counts a row with no values at all, refuses a duplicate id and a ragged header', async () => {
    const dir = folder({
      'w.csv': 'id,label,t0,t1\na,x,1,2\nb,y,,\n',
      'dup.csv': 'id,label,t0\na,x,1\na,y,2\n',
      'rag.csv': 'id,hr__0,hr__1,temp__0\na,1,2,3\n',
    });
    const res = await loadDataset({ series: { path: 'w.csv', format: 'wide', label: 'label' } }, { baseDir: dir });
    expect(res.counts.droppedNoSeries).toBe(1);
    expect(res.warnings).toEqual([expect.objectContaining({ code: 'LOAD_NO_SERIES_ROWS', recordId: 'b', line: 3 })]);
    const dup = await failure({ series: { path: 'dup.csv', format: 'wide', label: 'label' } }, dir);
    expect(dup.code).toBe('LOAD_DUPLICATE_ID');
    expect(dup.details).toMatchObject({ line: 3, recordId: 'a', expected: 'one row (first at line 2)' });
    expect((await failure({ series: { path: 'rag.csv', format: 'wide' } }, dir)).code).toBe('LOAD_BAD_HEADER');
  });
});

describe('Parquet (long layout)', () => {
  const dir = folder({});
  const file = path.join(dir, 's.parquet');
  parquetWriteFile({
    filename: file,
    rowGroupSize: 3,
    columnData: [
      { name: 'id', data: ['a', 'a', 'a', 'b', 'b'], type: 'STRING' },
      { name: 'time', data: [0, 1, 2, 0, 5], type: 'DOUBLE' },
      { name: 'hr', data: [80, 81, null, 90, 91], type: 'DOUBLE', nullable: true },
      { name: 'label', data: ['x', 'x', 'x', 'y', 'y'], type: 'STRING' },
    ],
  });
  const dated = path.join(dir, 'd.parquet');
  parquetWriteFile({
    filename: dated,
    columnData: [
      { name: 'id', data: ['a', 'a'], type: 'STRING' },
      { name: 'time', data: [new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T01:00:00Z')], type: 'TIMESTAMP' },
      { name: 'v', data: [1, 2], type: 'DOUBLE' },
    ],
  });

  it('reads ids, times and channels across row groups, nulls as missing', async () => {
    const { dataset } = await loadDataset({ series: { path: 's.parquet', format: 'parquet', label: 'label' } }, { baseDir: dir });
    expect(dataset.schema.channels).toEqual(['hr']);
    expect(dataset.records.map((r) => [r.id, r.label, Array.from(r.times!)])).toEqual([
      ['a', 'x', [0, 1, 2]],
      ['b', 'y', [0, 5]],
    ]);
    expect(Number.isNaN(dataset.records[0]!.values[0]![2]!)).toBe(true);
  });

  it('reads timestamp columns as epoch milliseconds', async () => {
    const dir2 = folder({ 'l.csv': 'id,label\na,x\n' });
    const { dataset } = await loadDataset({ series: { path: dated, format: 'parquet' }, labels: { path: 'l.csv' } }, { baseDir: dir2 });
    expect(dataset.schema.timeUnit).toBe('ms');
    expect(Array.from(dataset.records[0]!.times!)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 1)]);
  });

  it('refuses a file that is not Parquet and a missing column', async () => {
    const d = folder({ 'bad.parquet': 'id,time\n1,2\n' });
    expect((await failure({ series: { path: 'bad.parquet', format: 'parquet' } }, d)).code).toBe('LOAD_BAD_PARQUET');
    expect((await failure({ series: { path: 's.parquet', format: 'parquet', channels: ['spo2'] } }, dir)).code).toBe('LOAD_MISSING_COLUMN');
  });
});

describe('joins and error codes', () => {
  const series = 'id,time,hr\np1,0,80\np1,1,82\np2,0,90\n';

  it('keeps a record with metadata and a label but no series rows out, counted with a warning', async () => {
    const dir = folder({ 's.csv': series, 'm.csv': 'id,age\np1,60\np2,50\np9,70\np8,1\n', 'l.csv': 'id,label\np1,a\np2,b\np9,a\n' });
    const res = await loadDataset({ series: { path: 's.csv', format: 'long' }, metadata: { path: 'm.csv', fields: { age: 'numeric' } }, labels: { path: 'l.csv' } }, { baseDir: dir });
    expect(res.dataset.records.map((r) => r.id)).toEqual(['p1', 'p2']);
    expect(res.counts).toMatchObject({ records: 2, droppedNoSeries: 1, ignoredMetadataRows: 1 });
    expect(res.warnings.map((w) => [w.code, w.recordId])).toEqual([
      ['LOAD_NO_SERIES_ROWS', 'p9'],
      ['LOAD_METADATA_WITHOUT_SERIES', 'p8'],
    ]);
  });

  it('merges several context tables into one sorted track per id, other tables\' fields null', async () => {
    const dir = folder({
      's.csv': series,
      'l.csv': 'id,label\np1,a\np2,b\n',
      'err.csv': 'id,time,error\np1,1,e1\np1,0,e2\nzz,0,e3\n',
      'mnt.csv': 'id,time,comp\np1,0.5,c1\n',
    });
    const res = await loadDataset(
      {
        series: { path: 's.csv', format: 'long' },
        labels: { path: 'l.csv' },
        context: [
          { path: 'err.csv', fields: { error: 'categorical' } },
          { path: 'mnt.csv', fields: { comp: 'categorical' }, align: 'ffill' },
        ],
      },
      { baseDir: dir },
    );
    const p1 = res.dataset.records[0]!;
    expect(Array.from(p1.context!.times)).toEqual([0, 0.5, 1]);
    expect(p1.context!.values).toEqual({ error: ['e2', null, 'e1'], comp: [null, 'c1', null] });
    expect(res.dataset.schema.context).toEqual({ error: { kind: 'categorical', align: 'asof' }, comp: { kind: 'categorical', align: 'ffill' } });
    expect(res.counts.ignoredContextRows).toBe(1);
    expect(res.dataset.records[1]!.context).toBeUndefined();
  });

  const cases: Array<[string, Record<string, string>, DataConfig, string, Record<string, unknown>]> = [
    ['a missing file', {}, { series: { path: 'nope.csv', format: 'long' } }, 'LOAD_FILE_NOT_FOUND', {}],
    ['a class label NaN', { 's.csv': series, 'l.csv': 'id,label\np1,NaN\n' }, { series: { path: 's.csv', format: 'long' }, labels: { path: 'l.csv' } }, 'LOAD_BAD_LABEL', { line: 2, recordId: 'p1', value: 'NaN' }],
    ['a label Infinity in the series file', { 's.csv': 'id,time,hr,y\np1,0,1,Infinity\n' }, { series: { path: 's.csv', format: 'long', label: 'y' } }, 'LOAD_BAD_LABEL', { line: 2, field: 'y' }],
    ['a value beyond float32', { 's.csv': 'id,time,hr\np1,0,1e39\n' }, { series: { path: 's.csv', format: 'long' } }, 'LOAD_BAD_VALUE', { line: 2, field: 'hr', value: '1e39' }],
    ['context times in another unit', { 's.csv': 'id,time,hr\np1,2024-01-01,1\n', 'c.csv': 'id,time,m\np1,5,a\n' }, { series: { path: 's.csv', format: 'long' }, context: { path: 'c.csv', fields: { m: 'categorical' } } }, 'LOAD_BAD_TIMESTAMP', { line: 2 }],
    ['a malformed context row', { 's.csv': series, 'c.csv': 'id,time,m\np1,5\n' }, { series: { path: 's.csv', format: 'long' }, context: { path: 'c.csv', fields: { m: 'categorical' } } }, 'LOAD_BAD_LINE', { line: 2, value: 2, expected: '3' }],
    ['a JSONL duplicate id', { 'r.jsonl': '{"id":"a","values":{"v":[1]},"label":"x"}\n{"id":"a","values":{"v":[2]},"label":"y"}\n' }, { series: { path: 'r.jsonl', format: 'jsonl' } }, 'LOAD_DUPLICATE_ID', { line: 2, recordId: 'a' }],
    ['JSONL times out of order', { 'r.jsonl': '{"id":"a","values":{"v":[1,2]},"times":[5,4],"label":"x"}\n' }, { series: { path: 'r.jsonl', format: 'jsonl' } }, 'LOAD_UNORDERED_TIMES', { line: 1, field: 'times[1]' }],
    ['a JSONL line that is not an object', { 'r.jsonl': '[1,2]\n' }, { series: { path: 'r.jsonl', format: 'jsonl' } }, 'LOAD_BAD_LINE', { line: 1 }],
    ['JSONL times mixing numbers and date-times', { 'r.jsonl': '{"id":"a","values":{"v":[1,2]},"times":["2024-01-01T00:00:00Z","2024-01-01T01:00:00Z"]}\n{"id":"b","values":{"v":[1]},"times":[3]}\n' }, { series: { path: 'r.jsonl', format: 'jsonl' } }, 'LOAD_BAD_TIMESTAMP', { line: 2, recordId: 'b', field: 'times[0]' }],
    ['an unparsable JSONL time', { 'r.jsonl': '{"id":"a","values":{"v":[1,2]},"times":["2024-01-01","yesterday"]}\n' }, { series: { path: 'r.jsonl', format: 'jsonl' } }, 'LOAD_BAD_TIMESTAMP', { line: 1, field: 'times[1]', value: 'yesterday' }],
    ['a quoted field spanning lines', { 's.csv': 'id,time,hr\n"p1,0,1\n' }, { series: { path: 's.csv', format: 'long' } }, 'LOAD_BAD_LINE', { line: 2 }],
    ['a label table naming an unknown id', { 's.csv': series, 'l.csv': 'id,label\np1,a\nghost,b\n' }, { series: { path: 's.csv', format: 'long' }, labels: { path: 'l.csv' } }, 'LOAD_LABEL_WITHOUT_SERIES', { line: 3, recordId: 'ghost' }],
  ];
  it.each(cases)('refuses %s with its code and location', async (_what, files, config, code, where) => {
    const err = await failure(config, folder(files));
    expect(err.code).toBe(code);
    expect(err.details).toMatchObject(where);
  });

  it('reads JSONL times given as ISO date-times as epoch milliseconds (time unit ms)', async () => {
    const dir = folder({ 'r.jsonl': '{"id":"a","values":{"v":[1,2]},"times":["2024-01-01T00:00:00Z","2024-01-01T01:30:00+01:00"],"label":"x"}\n' });
    const { dataset } = await loadDataset({ series: { path: 'r.jsonl', format: 'jsonl' } }, { baseDir: dir });
    expect(dataset.schema.timeUnit).toBe('ms');
    expect(Array.from(dataset.records[0]!.times!)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 30)]);
  });

  it('refuses a line longer than maxLineLength (bounded memory)', async () => {
    const dir = folder({ 's.csv': `id,time,hr\np1,0,${'1'.repeat(5000)}\n` });
    const err = await failure({ series: { path: 's.csv', format: 'long' } }, dir, { maxLineLength: 1000 });
    expect(err.code).toBe('LOAD_LINE_TOO_LONG');
    expect(err.details.line).toBe(2);
  });

  it('formats an error with file:line, record, field, value seen and value expected', async () => {
    const dir = folder({ 's.csv': 'id,time,hr\np1,1,80\np1,0,81\n' });
    const err = await failure({ series: { path: 's.csv', format: 'long' } }, dir);
    expect(err.format()).toBe(`error LOAD_UNORDERED_TIMES: series times must increase within a record (${path.join(dir, 's.csv')}:3, record p1, field time: saw "0", expected > 1)`);
  });
});
