import { existsSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMetaseriesError } from '@metaseries/core';
import { readTsFile } from './read-ts-file.js';

const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data');
const hasShared = existsSync(shared);

// Counts, lengths and classes as the shared datasets' READMEs state them.
const expected: Array<[string, number, number, [number, number], number]> = [
  ['BasicMotions/BasicMotions_TRAIN.ts', 40, 6, [100, 100], 4],
  ['BasicMotions/BasicMotions_TEST.ts', 40, 6, [100, 100], 4],
  ['JapaneseVowels/JapaneseVowels_TRAIN.ts', 270, 12, [7, 26], 9],
  ['GunPoint/GunPoint_TRAIN.ts', 50, 1, [150, 150], 2],
  ['ItalyPowerDemand/ItalyPowerDemand_TEST.ts', 1029, 1, [24, 24], 2],
  ['PLAID/PLAID_TRAIN.ts', 537, 1, [100, 1344], 11],
];

(hasShared ? describe : describe.skip)('readTsFile on the shared UEA/UCR files (skipped where ../shared/data is absent)', () => {
  it.each(expected)('%s: %i cases, %i dims, lengths %j, %i classes', async (rel, n, dims, [minLen, maxLen], classes) => {
    const ds = await readTsFile(path.join(shared, rel));
    expect(ds.records).toHaveLength(n);
    expect(ds.records.every((r) => r.values.length === dims)).toBe(true);
    const lens = ds.records.map((r) => r.values[0]!.length);
    expect(Math.min(...lens)).toBe(minLen);
    expect(Math.max(...lens)).toBeLessThanOrEqual(maxLen);
    expect(new Set(ds.records.map((r) => r.label)).size).toBe(classes);
  });
});

describe('readTsFile errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-'));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('reads missing values (?) and unequal lengths', async () => {
    const f = write('ok.ts', '@problemName t\n@univariate true\n@classLabel true a b\n@data\n1,?,3:a\n4,5:b\n');
    const ds = await readTsFile(f);
    expect(Number.isNaN(ds.records[0]!.values[0]![1]!)).toBe(true);
    expect(ds.records[1]!.values[0]!.length).toBe(2);
    expect(ds.schema.label).toMatchObject({ task: 'binary', classes: ['a', 'b'] });
  });

  it('names file and line of a bad value', async () => {
    const f = write('bad.ts', '@problemName t\n@classLabel true a b\n@data\n1,2,3:a\n1,x,3:b\n');
    const err = await readTsFile(f).catch((e: unknown) => e);
    expect(isMetaseriesError(err, 'LOAD_BAD_VALUE')).toBe(true);
    expect((err as { format(): string }).format()).toContain(`${f}:5`);
  });

  it('refuses an undeclared class label and a missing file', async () => {
    const f = write('lab.ts', '@classLabel true a b\n@data\n1,2:c\n');
    expect(isMetaseriesError(await readTsFile(f).catch((e: unknown) => e), 'LOAD_UNKNOWN_LABEL')).toBe(true);
    expect(isMetaseriesError(await readTsFile(path.join(dir, 'nope.ts')).catch((e: unknown) => e), 'LOAD_FILE_NOT_FOUND')).toBe(true);
  });
});

describe('readTsFile with @timeStamps true', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-stamped-'));

  it('reads (time,value) pairs of every dimension as record times, date-times as epoch ms', async () => {
    const f = path.join(dir, 'stamped.ts');
    writeFileSync(
      f,
      '@problemName s\n@timeStamps true\n@univariate false\n@dimensions 2\n@classLabel true a b\n@data\n(2007-01-01 00:00:00,1.5),(2007-01-01 00:00:10,?):(2007-01-01 00:00:00,3),(2007-01-01 00:00:10,4):a\n(2007-01-02 00:00:00,5):(2007-01-02 00:00:00,6):b\n',
    );
    const ds = await readTsFile(f);
    expect(ds.schema.timeUnit).toBe('ms');
    expect(Array.from(ds.records[0]!.times!)).toEqual([Date.UTC(2007, 0, 1), Date.UTC(2007, 0, 1, 0, 0, 10)]);
    expect(Array.from(ds.records[0]!.values[1]!)).toEqual([3, 4]);
    expect(Number.isNaN(ds.records[0]!.values[0]![1]!)).toBe(true);
    expect(ds.records[1]!.label).toBe('b');
  });

  it('refuses dimensions with different stamps and decreasing stamps', async () => {
    const f1 = path.join(dir, 'differ.ts');
    writeFileSync(f1, '@timeStamps true\n@classLabel true a\n@data\n(0,1),(1,2):(0,1),(2,2):a\n');
    expect(isMetaseriesError(await readTsFile(f1).catch((e: unknown) => e), 'LOAD_BAD_LINE')).toBe(true);
    const f2 = path.join(dir, 'back.ts');
    writeFileSync(f2, '@timeStamps true\n@classLabel true a\n@data\n(5,1),(1,2):a\n');
    expect(isMetaseriesError(await readTsFile(f2).catch((e: unknown) => e), 'LOAD_UNORDERED_TIMES')).toBe(true);
  });
});

describe('readTsFile values', () => {
  it('refuses a blank value instead of reading it as 0', async () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'ts-blank-')), 'blank.ts');
    writeFileSync(f, '@classLabel true a\n@data\n1, ,3:a\n');
    const err = await readTsFile(f).catch((e: unknown) => e);
    expect(isMetaseriesError(err, 'LOAD_BAD_VALUE')).toBe(true);
    expect((err as { details: { line: number } }).details.line).toBe(3);
  });
});
