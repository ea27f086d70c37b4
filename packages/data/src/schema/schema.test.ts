import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMetaseriesError, type DatasetSchema, type MetaseriesError, type SeriesRecord } from '@metaseries/core';
import { loadDataset } from '../load/load-dataset.js';
import { inferKind, inferSchema } from './infer-schema.js';
import { checkDataset, validateDataset } from './validate-dataset.js';
import { readSchemaFile } from './read-schema-file.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'schema-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const rec = (id: string, extra: Partial<SeriesRecord> = {}): SeriesRecord => ({ id, values: [Float32Array.of(1, 2, NaN)], metadata: {}, label: 'a', ...extra });

describe('inferKind', () => {
  it.each([
    ['numbers', [1, 2, null, 3.5], 'numeric'],
    ['numeric text', ['1', '2.5', ''], 'numeric'],
    ['flags', [true, false, null], 'boolean'],
    ['yes/no text', ['yes', 'no', 'yes'], 'boolean'],
    ['lists of tags', [['a', 'b'], ['c'], null], 'multiCategorical'],
    ['a few words', ['icu', 'er', 'icu'], 'categorical'],
    ['80 long distinct notes', Array.from({ length: 80 }, (_, i) => `a free-text note about patient number ${i}`), 'text'],
  ] as Array<[string, unknown[], string]>)('%s → %s', (_what, values, kind) => {
    expect(inferKind(values).kind).toBe(kind);
  });
});

describe('inferSchema', () => {
  it('reports kinds, cardinality, missing rate, ranges and time ranges; the schema round-trips through JSON', async () => {
    const dir = folder({
      's.csv': 'id,time,hr\np1,0,80\np1,10,\np2,5,90\np3,0,70\n',
      'm.csv': 'id,age,ward\np1,61,icu\np2,,er\np3,40,icu\n',
      'c.csv': 'id,time,mode\np1,3,rest\np1,7,walk\np2,1,rest\n',
      'l.csv': 'id,label\np1,died\np2,lived\np3,lived\n',
    });
    const { dataset } = await loadDataset(
      {
        series: { path: 's.csv', format: 'long' },
        metadata: { path: 'm.csv', fields: { age: 'numeric', ward: 'text' } },
        context: { path: 'c.csv', fields: { mode: 'categorical' }, tolerance: 5 },
        labels: { path: 'l.csv' },
      },
      { baseDir: dir },
    );
    const { schema, report } = inferSchema(dataset);
    expect(schema).toEqual({
      version: 1,
      channels: ['hr'],
      metadata: { age: { kind: 'numeric' }, ward: { kind: 'categorical' } },
      context: { mode: { kind: 'categorical', align: 'asof', tolerance: 5 } },
      label: { name: 'label', task: 'binary', classes: ['died', 'lived'] },
      timeUnit: 'step',
    });
    expect(report.records).toBe(3);
    expect(report.length).toEqual({ min: 1, max: 2, mean: 4 / 3 });
    expect(report.timeRange).toEqual([0, 10]);
    expect(report.channels.hr).toEqual({ missingRate: 0.25, min: 70, max: 90 });
    expect(report.metadata.age).toMatchObject({ kind: 'numeric', cardinality: 2, missingRate: 1 / 3, min: 40, max: 61 });
    expect(report.metadata.ward).toMatchObject({ kind: 'categorical', cardinality: 2, top: [['icu', 2], ['er', 1]] });
    expect(report.context.mode).toMatchObject({ kind: 'categorical', cardinality: 2, missingRate: 0, timeRange: [1, 7] });
    expect(report.label).toMatchObject({ task: 'binary', cardinality: 2, top: [['lived', 2], ['died', 1]] });
    const file = path.join(dir, 'schema.json');
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(await readSchemaFile(file)).toEqual(schema);
  });

  it('infers regression for many numeric labels and multilabel for lists', () => {
    const many = Array.from({ length: 30 }, (_, i) => rec(`r${i}`, { label: i * 1.5 }));
    expect(inferSchema(many).schema.label).toEqual({ name: 'label', task: 'regression' });
    expect(inferSchema([rec('a', { label: ['x', 'y'] }), rec('b', { label: ['y'] })]).schema.label).toEqual({ name: 'label', task: 'multilabel', classes: ['x', 'y'] });
  });

  it('refuses an edited schema file that is invalid, naming the key', async () => {
    const dir = folder({ 'bad.json': JSON.stringify({ version: 1, channels: ['hr'], metadata: { age: { kind: 'number' } }, context: {}, label: { name: 'y', task: 'binary' } }), 'broken.json': '{"version": 1,' });
    const e1 = (await readSchemaFile(path.join(dir, 'bad.json')).catch((e: unknown) => e)) as MetaseriesError;
    expect(e1.format()).toContain('$.metadata.age.kind');
    expect(isMetaseriesError(await readSchemaFile(path.join(dir, 'broken.json')).catch((e: unknown) => e), 'SCHEMA_BAD_JSON')).toBe(true);
    expect(isMetaseriesError(await readSchemaFile(path.join(dir, 'none.json')).catch((e: unknown) => e), 'LOAD_FILE_NOT_FOUND')).toBe(true);
  });
});

describe('validateDataset', () => {
  const schema: DatasetSchema = {
    version: 1,
    channels: ['hr'],
    metadata: { age: { kind: 'numeric' }, ward: { kind: 'categorical' } },
    context: { mode: { kind: 'categorical', align: 'asof' } },
    label: { name: 'outcome', task: 'binary', classes: ['a', 'b'] },
  };
  const origins = new Map([['r1', { file: 'vitals.csv', line: 42 }]]);
  const cases: Array<[string, Partial<SeriesRecord>, string, Record<string, unknown>]> = [
    ['a field the schema does not declare', { metadata: { age: 3, shoe: 'x' } }, 'SCHEMA_UNKNOWN_FIELD', { field: 'shoe', value: 'x', expected: 'age, ward' }],
    ['a context field the schema does not declare', { context: { times: Float64Array.of(0), values: { weather: ['sun'] } } }, 'SCHEMA_UNKNOWN_FIELD', { field: 'weather' }],
    ['a text value in a numeric field', { metadata: { age: 'old' } }, 'SCHEMA_BAD_VALUE', { field: 'age', value: 'old', expected: 'a finite number or null' }],
    ['another number of channels', { values: [Float32Array.of(1), Float32Array.of(2)] }, 'SCHEMA_CHANNEL_COUNT', { value: 2 }],
    ['times out of order', { times: Float64Array.of(0, 2, 1) }, 'SCHEMA_UNORDERED_TIMES', { field: 'times[2]', value: 1, expected: '> 2' }],
    ['times of another length', { times: Float64Array.of(0, 1) }, 'SCHEMA_LENGTH_MISMATCH', { field: 'times' }],
    ['an infinite series value', { values: [Float32Array.of(1, Infinity, 2)] }, 'SCHEMA_BAD_VALUE', { field: 'hr[1]' }],
    ['a NaN label', { label: NaN }, 'SCHEMA_BAD_LABEL', { field: 'outcome', value: 'NaN' }],
    ['a class the schema does not list', { label: 'c' }, 'SCHEMA_UNKNOWN_CLASS', { value: 'c', expected: 'a, b' }],
  ];
  it.each(cases)('refuses %s with its code, file, line, record, field, value and expectation', (_what, change, code, where) => {
    const err = (() => {
      try {
        validateDataset({ schema, records: [rec('r1', change)] }, { origins });
      } catch (e) {
        return e as MetaseriesError;
      }
      throw new Error('no error');
    })();
    expect(err.code).toBe(code);
    expect(err.details).toMatchObject({ file: 'vitals.csv', line: 42, recordId: 'r1', ...where });
  });

  it('refuses duplicate ids, counts unlabelled records as warnings, lists every problem', () => {
    const { errors, warnings } = checkDataset({ schema, records: [rec('x'), rec('x'), rec('y', { label: null }), rec('z', { label: 'c', metadata: { shoe: 1 } })] });
    expect(errors.map((e) => e.code)).toEqual(['SCHEMA_DUPLICATE_ID', 'SCHEMA_UNKNOWN_FIELD', 'SCHEMA_UNKNOWN_CLASS']);
    expect(warnings.map((w) => [w.code, w.recordId])).toEqual([
      ['SCHEMA_NO_LABEL', 'y'],
      ['SCHEMA_FIELD_ABSENT', undefined],
      ['SCHEMA_FIELD_ABSENT', undefined],
    ]);
    expect(validateDataset({ schema, records: [rec('ok', { metadata: { age: 3, ward: 'icu' } })] })).toEqual([]);
  });

  it('loads against a saved schema: a config field it does not declare is SCHEMA_UNKNOWN_FIELD, a value of another kind is refused', async () => {
    const dir = folder({ 's.csv': 'id,time,hr\nr1,0,1\nr2,0,2\n', 'm.csv': 'id,age,ward,shoe\nr1,3,icu,9\nr2,4,er,8\n', 'l.csv': 'id,outcome\nr1,a\nr2,b\n' });
    const base = { series: { path: 's.csv', format: 'long' as const }, labels: { path: 'l.csv', label: 'outcome' } };
    const ok = await loadDataset({ ...base, metadata: { path: 'm.csv', fields: { age: 'numeric', ward: 'categorical' } } }, { baseDir: dir, schema });
    expect(ok.dataset.schema).toEqual(schema);
    const e1 = (await loadDataset({ ...base, metadata: { path: 'm.csv', fields: { age: 'numeric', shoe: 'numeric' } } }, { baseDir: dir, schema }).catch((e: unknown) => e)) as MetaseriesError;
    expect(e1.code).toBe('SCHEMA_UNKNOWN_FIELD');
    expect(e1.details).toMatchObject({ field: 'data.metadata.fields.shoe', value: 'shoe' });
    const e2 = (await loadDataset({ ...base, metadata: { path: 'm.csv', fields: { age: 'numeric', ward: 'numeric' } } }, { baseDir: dir, schema }).catch((e: unknown) => e)) as MetaseriesError;
    expect(e2.code).toBe('LOAD_BAD_VALUE');
    expect(e2.details).toMatchObject({ line: 2, recordId: 'r1', field: 'ward', value: 'icu' });
  });
});
