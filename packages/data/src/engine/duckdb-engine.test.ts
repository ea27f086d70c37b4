import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { createRng, isMetaseriesError } from '@metaseries/core';
import { loadDataset, type DataConfig, type LoadResult } from '../load/load-dataset.js';
import { openDuckDb } from './duckdb-engine.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'duckdb-engine-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Loads with both engines (context aligned) and checks that everything is the same. */
async function both(config: DataConfig, baseDir: string): Promise<LoadResult> {
  const js = await loadDataset(config, { baseDir, align: true });
  const duck = await loadDataset(config, { baseDir, align: true, engine: 'duckdb' });
  expect(duck.dataset.schema).toEqual(js.dataset.schema);
  expect(duck.dataset.records.map((r) => r.id)).toEqual(js.dataset.records.map((r) => r.id));
  for (const [i, r] of duck.dataset.records.entries()) {
    const j = js.dataset.records[i]!;
    expect(r.values.every((v) => v instanceof Float32Array)).toBe(true);
    expect(r.times).toBeInstanceOf(Float64Array);
    expect(r).toEqual(j); // values (NaN included), times, metadata, label, group, raw context, aligned context and masks
  }
  expect(duck.counts).toEqual(js.counts);
  expect(duck.warnings).toEqual(js.warnings);
  expect(duck.origins).toEqual(js.origins);
  expect(duck.test).toEqual(js.test);
  return js;
}

async function failure(config: DataConfig, baseDir: string, engine: 'js' | 'duckdb'): Promise<string> {
  try {
    await loadDataset(config, { baseDir, engine });
  } catch (e) {
    if (isMetaseriesError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

// p1: context with ties, a gap beyond tolerance and missing cells; p2: context starting after the
// series; p3: no context at all; p4: no label (dropped); q9: context for an id with no series
const series = [
  'id,time,hr,temp',
  'p1,0,80,36.5',
  'p1,2,82,',
  'p1,4,NA,36.9',
  'p1,5,84,?',
  'p1,9,85,37.1',
  'p1,20,86,37.0',
  'p2,0,90,37',
  'p2,3,91.25,37.2',
  'p2,6,92,null',
  'p3,1,70,36',
  'p3,2,71,36.1',
  'p4,0,60,35',
].join('\n');
const modes = [
  'id,time,mode,load',
  'p1,0,rest,1.5',
  'p1,2,walk,2',
  'p1,2,run,2.5', // tie at 2: the last row (run) wins
  'p1,5,,3', // mode missing at 5: asof gives null there, ffill would not
  'p1,5,sit,', // …but a second row at 5 ties and wins
  'p1,9,NA,4',
  'q9,0,rest,1',
  'p2,4,rest,7', // p2's context starts after its first step
  'p2,4,walk,NA',
].join('\n');
const events = [
  'id,time,alarm,level',
  'p1,2,true,10', // ties with modes' rows at 2: table order puts this row last
  'p1,4,,11',
  'p1,8,no,',
  'p2,7,yes,12', // after p2's last step: never used
].join('\n');

const config: DataConfig = {
  series: { path: 'series.csv', format: 'long' },
  metadata: { path: 'static.csv', fields: { age: 'numeric', ward: 'categorical' }, group: 'site' },
  context: [
    { path: 'modes.csv', fields: { mode: 'categorical', load: 'numeric' }, tolerance: 4 },
    { path: 'events.csv', fields: { alarm: 'boolean', level: 'numeric' }, align: 'ffill', tolerance: 3 },
  ],
  labels: { path: 'labels.csv', label: 'outcome' },
};
const files = {
  'series.csv': series,
  'modes.csv': modes,
  'events.csv': events,
  'static.csv': 'id,age,ward,site\np1,61,icu,A\np2,,er,B\np3,40,icu,A\np5,33,er,C\n',
  'labels.csv': 'id,outcome\np1,died\np2,lived\np3,lived\np5,died\n',
};

describe('the duckdb engine gives the same dataset as the js engine', () => {
  it('long CSV: ties, tolerance exceeded, context after the series, missing values, two tables (asof and ffill)', async () => {
    const dir = folder(files);
    const js = await both(config, dir);
    const [p1, p2, p3] = js.dataset.records;
    expect(js.counts).toMatchObject({ records: 3, ignoredContextRows: 1, droppedNoSeries: 1 });
    // asof over the merged track (times 0, 2, 2, 2(events), 4(events), 5, 5, 8(events), 9): the last
    // row at or before each step — at 2 and 4 an events row (mode missing), at 9 a missing mode, 20 - 9 > 4
    expect(p1!.alignedContext!.values.mode).toEqual(['rest', null, null, 'sit', null, null]);
    expect(p1!.alignedContext!.values.load).toEqual([1.5, null, null, null, 4, null]);
    // ffill of events: 2 → true (tie with modes at 2, row present), 4 → missing cell skipped, 8 → no; tolerance 3
    expect(p1!.alignedContext!.values.alarm).toEqual([null, true, true, true, false, null]);
    expect(Array.from(p1!.alignedContext!.mask.alarm!)).toEqual([0, 1, 1, 1, 1, 0]);
    expect(p1!.alignedContext!.values.level).toEqual([null, 10, 11, 11, null, null]);
    expect(p2!.alignedContext!.values.mode).toEqual([null, null, 'walk']);
    expect(Array.from(p2!.alignedContext!.mask.mode!)).toEqual([0, 0, 1]);
    expect(p3!.context).toBeUndefined();
    expect(Array.from(p3!.alignedContext!.mask.mode!)).toEqual([0, 0]);
    expect(Number.isNaN(p1!.values[1]![1]!)).toBe(true);
  });

  it('asof and nearest/linear fields side by side (nearest and linear go through the JS alignment)', async () => {
    const dir = folder(files);
    const cfg: DataConfig = {
      ...config,
      context: [
        { path: 'modes.csv', fields: { mode: 'categorical' }, align: 'nearest' },
        { path: 'events.csv', fields: { level: 'numeric' }, align: 'linear', tolerance: 5 },
      ],
    };
    await both(cfg, dir);
  });

  it('ISO date-times with a duration tolerance, a label column and a separate test set', async () => {
    const dir = folder({
      'series.csv': 'id,time,v,y\na,2024-01-01T00:00:00Z,1,x\na,2024-01-01T01:00:00Z,2,\na,2024-01-01T03:00:00Z,3,\nb,2024-01-02,4,z\nb,2024-01-02T00:30:00,5,\n',
      'ctx.csv': 'id,time,w\na,2023-12-31T23:00:00Z,10\na,2024-01-01T01:00:00Z,11\na,2024-01-01T01:00:00Z,12\nb,2024-01-02T00:10:00Z,13\n',
      'test.csv': 'id,time,v,y\nc,2024-02-01T00:00:00Z,7,x\n',
      'ctx-test.csv': 'id,time,w\nc,2024-01-31T12:00:00Z,14\n',
    });
    const js = await both(
      {
        series: { path: 'series.csv', format: 'long', label: 'y' },
        context: { path: 'ctx.csv', fields: { w: 'numeric' }, tolerance: '1h' },
        test: { series: { path: 'test.csv', format: 'long', label: 'y' }, context: { path: 'ctx-test.csv', fields: { w: 'numeric' }, tolerance: '1d' } },
      },
      dir,
    );
    expect(js.dataset.schema.timeUnit).toBe('ms');
    expect(js.dataset.records[0]!.alignedContext!.values.w).toEqual([10, 12, null]);
    expect(js.test!.records[0]!.alignedContext!.values.w).toEqual([14]);
  });

  it('Parquet series (row groups, nulls, float and timestamp columns)', async () => {
    const dir = folder({ 'ctx.csv': 'id,time,m\na,0,u\na,1,v\na,1,w\nb,9,u\n', 'ctx-ms.csv': 'id,time,m\na,2024-01-01T00:30:00Z,u\n', 'l.csv': 'id,label\na,1\nb,2\n', 'la.csv': 'id,label\na,1\n' });
    parquetWriteFile({
      filename: path.join(dir, 's.parquet'),
      rowGroupSize: 3,
      columnData: [
        { name: 'id', data: ['a', 'a', 'a', 'b', 'b'], type: 'STRING' },
        { name: 'time', data: [0, 1, 2, 0, 5], type: 'INT32' },
        { name: 'hr', data: [80.1, 81, null, 90, 91], type: 'FLOAT', nullable: true },
        { name: 'spo2', data: [0.1, 0.2, 0.3, null, 0.5], type: 'DOUBLE', nullable: true },
      ],
    });
    parquetWriteFile({
      filename: path.join(dir, 'd.parquet'),
      columnData: [
        { name: 'id', data: ['a', 'a'], type: 'STRING' },
        { name: 'time', data: [new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T01:00:00Z')], type: 'TIMESTAMP' },
        { name: 'v', data: [1, 2], type: 'DOUBLE' },
      ],
    });
    const js = await both({ series: { path: 's.parquet', format: 'parquet' }, context: { path: 'ctx.csv', fields: { m: 'categorical' } }, labels: { path: 'l.csv' } }, dir);
    expect(js.dataset.records[0]!.alignedContext!.values.m).toEqual(['u', 'w', 'w']);
    await both({ series: { path: 'd.parquet', format: 'parquet' }, context: { path: 'ctx-ms.csv', fields: { m: 'categorical' }, align: 'ffill' }, labels: { path: 'la.csv' } }, dir);
  });

  it('random files with many ties and gaps agree (seeded, 25 cases)', async () => {
    const rng = createRng(11);
    for (let c = 0; c < 25; c++) {
      const s = ['id,time,a,b'];
      const ctx = ['id,time,k,x'];
      const labels = ['id,label'];
      const ids = 1 + rng.int(5);
      for (let id = 0; id < ids; id++) {
        let t = rng.int(5);
        for (let i = 0, n = 1 + rng.int(12); i < n; i++) {
          s.push(`r${id},${t},${rng.next() < 0.2 ? '' : (rng.normal() * 10).toFixed(2)},${rng.next() < 0.1 ? 'NA' : rng.int(100)}`);
          t += 1 + rng.int(3);
        }
        labels.push(`r${id},${rng.int(2)}`);
        const rows = rng.int(10);
        const stamps = Array.from({ length: rows }, () => rng.int(t + 3) - 2).sort((p, q) => p - q);
        for (const st of stamps) ctx.push(`r${id},${st},${rng.next() < 0.2 ? '' : `m${rng.int(3)}`},${rng.next() < 0.2 ? '' : rng.int(50) / 4}`);
      }
      const dir = folder({ 's.csv': s.join('\n'), 'c.csv': ctx.join('\n'), 'l.csv': labels.join('\n') });
      const tolerance = rng.next() < 0.5 ? undefined : rng.int(4);
      await both(
        {
          series: { path: 's.csv', format: 'long' },
          context: [
            { path: 'c.csv', fields: { k: 'categorical' }, align: 'asof', ...(tolerance !== undefined && { tolerance }) },
            { path: 'c.csv', fields: { x: 'numeric' }, align: 'ffill', ...(tolerance !== undefined && { tolerance }) },
          ],
          labels: { path: 'l.csv' },
        },
        dir,
      );
    }
  });
});

describe('the duckdb engine refuses what the js engine refuses, with the same codes', () => {
  const dir = folder({
    'ungrouped.csv': 'id,time,v\na,0,1\nb,0,2\na,1,3\n',
    'dup.csv': 'id,time,v\na,0,1\na,0,2\n',
    'unordered.csv': 'id,time,v\na,1,1\na,0,2\n',
    'inf.csv': 'id,time,v\na,0,inf\n',
    'big.csv': 'id,time,v\na,0,1e39\n',
    'word.csv': 'id,time,v\na,0,abc\n',
    'badlabel.csv': 'id,time,v,y\na,0,1,NaN\n',
    'empty.csv': '',
    'ok.csv': 'id,time,v\na,0,1\n',
    'ctx-dates.csv': 'id,time,m\na,2024-01-01,u\n',
    'ctx-inf.csv': 'id,time,m\na,0,inf\n',
    'ctx-flag.csv': 'id,time,m\na,0,maybe\n',
  });
  const cases: Array<[string, DataConfig, string]> = [
    ['ids not contiguous', { series: { path: 'ungrouped.csv', format: 'long' } }, 'LOAD_UNGROUPED_IDS'],
    ['two rows at one time', { series: { path: 'dup.csv', format: 'long' } }, 'LOAD_DUPLICATE_TIME'],
    ['times going back', { series: { path: 'unordered.csv', format: 'long' } }, 'LOAD_UNORDERED_TIMES'],
    ['an infinite value', { series: { path: 'inf.csv', format: 'long' } }, 'LOAD_BAD_VALUE'],
    ['a value beyond float32', { series: { path: 'big.csv', format: 'long' } }, 'LOAD_BAD_VALUE'],
    ['a word for a number', { series: { path: 'word.csv', format: 'long' } }, 'LOAD_BAD_VALUE'],
    ['a NaN label', { series: { path: 'badlabel.csv', format: 'long', label: 'y' } }, 'LOAD_BAD_LABEL'],
    ['an empty file', { series: { path: 'empty.csv', format: 'long' } }, 'LOAD_EMPTY_FILE'],
    ['a file that is not Parquet', { series: { path: 'ok.csv', format: 'parquet' } }, 'LOAD_BAD_PARQUET'],
    ['a missing file', { series: { path: 'nope.csv', format: 'long' } }, 'LOAD_FILE_NOT_FOUND'],
    ['a missing column', { series: { path: 'ok.csv', format: 'long', channels: ['w'] } }, 'LOAD_MISSING_COLUMN'],
    ['context in another time unit', { series: { path: 'ok.csv', format: 'long' }, context: { path: 'ctx-dates.csv', fields: { m: 'categorical' } } }, 'LOAD_BAD_TIMESTAMP'],
    ['an infinite context value', { series: { path: 'ok.csv', format: 'long' }, context: { path: 'ctx-inf.csv', fields: { m: 'numeric' } } }, 'LOAD_BAD_VALUE'],
    ['a context flag that is not one', { series: { path: 'ok.csv', format: 'long' }, context: { path: 'ctx-flag.csv', fields: { m: 'boolean' } } }, 'LOAD_BAD_VALUE'],
  ];
  it.each(cases)('%s', async (_name, cfg, code) => {
    expect(await failure(cfg, dir, 'js')).toBe(code);
    expect(await failure(cfg, dir, 'duckdb')).toBe(code);
  });

  it('names the missing package when DuckDB is not installed', async () => {
    const e = await openDuckDb({ packageName: '@duckdb/no-such-package' }).catch((x: unknown) => x);
    expect(isMetaseriesError(e) && e.code).toBe('DATA_ENGINE_UNAVAILABLE');
    expect((e as Error).message).toContain('@duckdb/node-api');
  });

  it('refuses an unknown engine', async () => {
    const e = await loadDataset({ series: { path: 'ok.csv', format: 'long' } }, { baseDir: dir, engine: 'sql' as 'js' }).catch((x: unknown) => x);
    expect(isMetaseriesError(e) && e.code).toBe('LOAD_BAD_OPTION');
  });
});

describe('the duckdb engine on damaged files', () => {
  const DELIMS = [',', ';', '\t', '\n', ' ', '"', '|'];
  const HUGE = ['1e999', '1e39', '9'.repeat(400), 'Infinity', 'NaN', '0x7f', '-0'];
  function damage(text: string, rng: ReturnType<typeof createRng>): Buffer {
    const b = Buffer.from(text);
    const at = () => rng.int(Math.max(1, b.length));
    switch (rng.int(7)) {
      case 0:
        return b.subarray(0, at());
      case 1:
        for (let i = 0, n = 1 + rng.int(8); i < n; i++) b[at()] = rng.next() < 0.8 ? 32 + rng.int(95) : rng.int(256);
        return b;
      case 2: {
        const from = DELIMS[rng.int(DELIMS.length)]!.charCodeAt(0);
        const to = DELIMS[rng.int(DELIMS.length)]!.charCodeAt(0);
        for (let i = 0; i < b.length; i++) if (b[i] === from && rng.next() < 0.5) b[i] = to;
        return b;
      }
      case 3: {
        const i = at();
        return Buffer.concat([b.subarray(0, i), Buffer.from([0xff, 0xc3]), b.subarray(i)]);
      }
      case 4: {
        const nums = [...text.matchAll(/\d+(\.\d+)?/g)];
        const m = nums[rng.int(nums.length)]!;
        return Buffer.from(text.slice(0, m.index) + HUGE[rng.int(HUGE.length)]! + text.slice(m.index! + m[0].length));
      }
      case 5: {
        const i = at();
        return Buffer.concat([b.subarray(0, i), Buffer.from('"'), b.subarray(i)]);
      }
      default:
        return Buffer.from(text.split('\n').slice(1).join('\n'));
    }
  }

  it('loads or throws a MetaseriesError for 80 seeded damaged series and context files', async () => {
    const rng = createRng(5);
    const outcomes = new Map<string, number>();
    for (let c = 0; c < 80; c++) {
      const dir = folder({ 'labels.csv': 'id,outcome\np1,died\np2,lived\np3,lived\n' });
      const damaged = rng.next() < 0.5 ? 'series.csv' : 'modes.csv';
      writeFileSync(path.join(dir, 'series.csv'), damaged === 'series.csv' ? damage(series, rng) : series);
      writeFileSync(path.join(dir, 'modes.csv'), damaged === 'modes.csv' ? damage(modes, rng) : modes);
      let outcome = 'loaded';
      try {
        await loadDataset(
          { series: { path: 'series.csv', format: 'long' }, context: { path: 'modes.csv', fields: { mode: 'categorical', load: 'numeric' } }, labels: { path: 'labels.csv', label: 'outcome' } },
          { baseDir: dir, engine: 'duckdb', align: true },
        );
      } catch (e) {
        if (!isMetaseriesError(e)) throw new Error(`case ${c} (${damaged}): not a MetaseriesError: ${String(e)}`);
        outcome = e.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    if (process.env.DUCKDB_FUZZ_REPORT) process.stdout.write(`${JSON.stringify(Object.fromEntries(outcomes))}\n`);
    // the damage reaches both outcomes: some files still load, most are refused with a code
    expect(outcomes.get('loaded')).toBeGreaterThan(0);
    expect([...outcomes.keys()].length).toBeGreaterThan(3);
  });
});
