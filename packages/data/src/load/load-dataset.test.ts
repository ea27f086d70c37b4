import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMetaseriesError } from '@metaseries/core';
import { loadDataset } from './load-dataset.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'load-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const series = 'id,time,hr,temp\np1,0,80,36.5\np1,1,82,\np2,0,90,37\np2,1,95,37.2\np3,0,70,36\n';

describe('loadDataset', () => {
  it('joins series, metadata, context and labels by id, dropping and counting unlabelled series', async () => {
    const dir = folder({
      'series.csv': series,
      'static.csv': 'id,age,ward,patient\np1,61,icu,A\np2,,er,B\np3,40,icu,C\n',
      'modes.csv': 'id,time,mode\np1,0,rest\np1,1,walk\np2,0,rest\n',
      'labels.csv': 'id,outcome\np1,died\np2,lived\n',
    });
    const res = await loadDataset(
      {
        series: { path: 'series.csv', format: 'long' },
        metadata: { path: 'static.csv', fields: { age: 'numeric', ward: 'categorical' }, group: 'patient' },
        context: { path: 'modes.csv', fields: { mode: 'categorical' }, tolerance: '2h' },
        labels: { path: 'labels.csv', label: 'outcome' },
      },
      { baseDir: dir },
    );
    expect(res.dataset.records.map((r) => r.id)).toEqual(['p1', 'p2']);
    expect(res.counts).toEqual({ records: 2, droppedNoLabel: 1, droppedNoSeries: 0, ignoredMetadataRows: 0, ignoredContextRows: 0 });
    expect(res.warnings[0]).toMatchObject({ code: 'LOAD_NO_LABEL', recordId: 'p3' });
    const p1 = res.dataset.records[0]!;
    expect(Array.from(p1.values[0]!)).toEqual([80, 82]);
    expect(Number.isNaN(p1.values[1]![1]!)).toBe(true);
    expect(p1.metadata).toEqual({ age: 61, ward: 'icu' });
    expect(p1.group).toBe('A');
    expect(res.dataset.records[1]!.metadata.age).toBeNull();
    expect(p1.context!.values.mode).toEqual(['rest', 'walk']);
    expect(res.dataset.schema).toMatchObject({ channels: ['hr', 'temp'], label: { task: 'binary', classes: ['died', 'lived'] }, context: { mode: { align: 'asof', tolerance: 7200000 } } });
  });

  const cases: Array<[string, Record<string, string>, string, number?]> = [
    ['unordered timestamps', { 'series.csv': 'id,time,hr\np1,1,80\np1,0,81\n' }, 'LOAD_UNORDERED_TIMES', 3],
    ['a duplicate time', { 'series.csv': 'id,time,hr\np1,1,80\np1,1,81\n' }, 'LOAD_DUPLICATE_TIME', 3],
    ['an unparsable timestamp', { 'series.csv': 'id,time,hr\np1,yesterday,80\n' }, 'LOAD_BAD_TIMESTAMP', 2],
    ['a missing column', { 'series.csv': 'id,when,hr\np1,1,80\n' }, 'LOAD_MISSING_COLUMN', 1],
    ['a row with too many cells', { 'series.csv': 'id,time,hr\np1,1,80,5\n' }, 'LOAD_BAD_LINE', 2],
    ['rows of one id split apart', { 'series.csv': 'id,time,hr\np1,1,80\np2,1,80\np1,2,80\n' }, 'LOAD_UNGROUPED_IDS', 4],
    ['Infinity in a value', { 'series.csv': 'id,time,hr\np1,1,Infinity\n' }, 'LOAD_BAD_VALUE', 2],
  ];
  it.each(cases)('refuses %s with its own code and line', async (_what, files, code, line) => {
    const dir = folder(files);
    const err = await loadDataset({ series: { path: 'series.csv', format: 'long', channels: ['hr'] } }, { baseDir: dir }).catch((e: unknown) => e);
    expect(isMetaseriesError(err, code)).toBe(true);
    if (line) expect((err as { details: { line: number } }).details.line).toBe(line);
  });

  it('refuses a label table naming an id with no series, and a duplicate id in it', async () => {
    const dir = folder({ 'series.csv': series, 'l1.csv': 'id,label\np1,a\nzz,b\n', 'l2.csv': 'id,label\np1,a\np1,b\n' });
    const e1 = await loadDataset({ series: { path: 'series.csv', format: 'long' }, labels: { path: 'l1.csv' } }, { baseDir: dir }).catch((e: unknown) => e);
    expect(isMetaseriesError(e1, 'LOAD_LABEL_WITHOUT_SERIES')).toBe(true);
    expect((e1 as { details: { recordId: string } }).details.recordId).toBe('zz');
    const e2 = await loadDataset({ series: { path: 'series.csv', format: 'long' }, labels: { path: 'l2.csv' } }, { baseDir: dir }).catch((e: unknown) => e);
    expect(isMetaseriesError(e2, 'LOAD_DUPLICATE_ID')).toBe(true);
  });

  it('refuses NaN or Infinity as a regression label', async () => {
    const dir = folder({ 'series.csv': series, 'l.csv': 'id,rul\np1,12\np2,Infinity\n' });
    const err = await loadDataset({ series: { path: 'series.csv', format: 'long' }, labels: { path: 'l.csv', label: 'rul', task: 'regression' } }, { baseDir: dir }).catch((e: unknown) => e);
    expect(isMetaseriesError(err, 'LOAD_BAD_LABEL')).toBe(true);
  });

  it('reads date-times as epoch milliseconds and JSONL records', async () => {
    const dir = folder({
      's.csv': 'id,time,v\na,2024-01-01 00:00:00,1\na,2024-01-01 01:00:00,2\n',
      'l.csv': 'id,label\na,x\n',
      'r.jsonl': '{"id":"a","values":{"v":[1,2,null]},"label":"x","metadata":{"m":"k"}}\n{"id":"b","values":{"v":[3]},"label":"y"}\n',
    });
    const res = await loadDataset({ series: { path: 's.csv', format: 'long' }, labels: { path: 'l.csv' } }, { baseDir: dir });
    expect(res.dataset.schema.timeUnit).toBe('ms');
    expect(res.dataset.records[0]!.times![1]! - res.dataset.records[0]!.times![0]!).toBe(3600000);
    const j = await loadDataset({ series: { path: 'r.jsonl', format: 'jsonl' } }, { baseDir: dir });
    expect(j.dataset.records).toHaveLength(2);
    expect(Number.isNaN(j.dataset.records[0]!.values[0]![2]!)).toBe(true);
  });
});
