import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, isMetaseriesError, type Rng } from '@metaseries/core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { loadDataset, type DataConfig } from '../load/load-dataset.js';


/** The ways {@link mutate} damages a file, one picked per case. */
const MUTATIONS = ['truncate', 'flipBytes', 'swapDelimiters', 'invalidUtf8', 'enormousNumber', 'hugeLine', 'dropLine', 'duplicateLine', 'insertBytes', 'quotes', 'empty', 'none'] as const;
/** One mutation kind. */
type Mutation = (typeof MUTATIONS)[number];

const DELIMS = [',', ';', ':', '\t', '\n', ' ', '|', '"', '@', '#', '{', '}'];
const HUGE = ['1e999', '-1e999', '1e39', '9'.repeat(400), 'Infinity', '-Infinity', 'NaN', '0x7fffffff', '1e-400', '-0', '1'.repeat(30)];

function bytesOf(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/**
 * Damages `seed` (a valid file) one way, chosen and placed by `rng`. `hugeLine` adds a line of
 * `columns` cells (a million by default: cases with it are made rare by the caller).
 */
function mutate(seed: Buffer, kind: Mutation, rng: Rng, columns = 1_000_000): Buffer {
  const b = Buffer.from(seed);
  const at = () => rng.int(Math.max(1, b.length));
  switch (kind) {
    case 'truncate':
      return b.subarray(0, at());
    case 'flipBytes': {
      const n = 1 + rng.int(8);
      // mostly printable ASCII, so the damage reaches the parsers and not only the UTF-8 check
      for (let i = 0; i < n; i++) b[at()] = rng.next() < 0.8 ? 32 + rng.int(95) : rng.int(256);
      return b;
    }
    case 'swapDelimiters': {
      const from = DELIMS[rng.int(DELIMS.length)]!.charCodeAt(0);
      const to = DELIMS[rng.int(DELIMS.length)]!.charCodeAt(0);
      const all = rng.next() < 0.5;
      for (let i = 0; i < b.length; i++) if (b[i] === from && (all || rng.next() < 0.2)) b[i] = to;
      return b;
    }
    case 'invalidUtf8': {
      const bad = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])][rng.int(5)]!;
      const i = at();
      return Buffer.concat([b.subarray(0, i), bad, b.subarray(i)]);
    }
    case 'enormousNumber': {
      const text = b.toString('latin1');
      const nums = [...text.matchAll(/-?\d+(\.\d+)?/g)];
      if (nums.length === 0) return Buffer.concat([b, bytesOf(HUGE[rng.int(HUGE.length)]!)]);
      const m = nums[rng.int(nums.length)]!;
      return Buffer.from(text.slice(0, m.index) + HUGE[rng.int(HUGE.length)]! + text.slice(m.index! + m[0].length), 'latin1');
    }
    case 'hugeLine': {
      const cell = ['1', '', 'x', '1.5'][rng.int(4)]!;
      const sep = [',', ':', ';'][rng.int(3)]!;
      const line = Buffer.from(`${Array.from({ length: columns }, () => cell).join(sep)}\n`);
      const lines = b.toString('latin1').split('\n');
      const i = 1 + rng.int(Math.max(1, lines.length - 1));
      const head = Buffer.from(`${lines.slice(0, i).join('\n')}\n`, 'latin1');
      return Buffer.concat([head, line, Buffer.from(lines.slice(i).join('\n'), 'latin1')]);
    }
    case 'dropLine':
    case 'duplicateLine': {
      const lines = b.toString('latin1').split('\n');
      const i = rng.int(lines.length);
      if (kind === 'dropLine') lines.splice(i, 1);
      else lines.splice(i, 0, lines[i]!);
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    case 'insertBytes': {
      const n = 1 + rng.int(16);
      const junk = Buffer.from(Array.from({ length: n }, () => rng.int(256)));
      const i = at();
      return Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]);
    }
    case 'quotes': {
      const i = at();
      return Buffer.concat([b.subarray(0, i), Buffer.from(['"', '""', '"a,b"', "'"][rng.int(4)]!), b.subarray(i)]);
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'none':
      return b;
  }
}

// Each loader gets CASES damaged files; each must load or throw a MetaseriesError — no other
// exception, no hang (per-case timeout), bounded memory (lines capped at MAX_LINE characters,
// so the million-column lines are LOAD_LINE_TOO_LONG; a few smaller wide lines are parsed).
const CASES = Number(process.env.FUZZ_CASES ?? 1000);
const CASE_TIMEOUT_MS = 2000;
const MAX_LINE = 256 * 1024;

const long = 'id,time,hr,temp\np1,0,80,36.5\np1,1,82,\np1,2,81,36.7\np2,0,90,37\np2,1,95,37.2\np3,2024,70,36\n';
const labels = 'id,label\np1,a\np2,b\np3,a\n';
const metadata = 'id,age,ward\np1,61,icu\np2,,er\np3,40,icu\n';
const context = 'id,time,mode\np1,0,rest\np1,1,walk\np2,0,rest\n';

function parquetSeed(): Buffer {
  const buf = parquetWriteBuffer({
    rowGroupSize: 4,
    columnData: [
      { name: 'id', data: ['a', 'a', 'a', 'b', 'b', 'c'], type: 'STRING' },
      { name: 'time', data: [0, 1, 2, 0, 1, 0], type: 'DOUBLE' },
      { name: 'hr', data: [80, 81, null, 90, 91, 70], type: 'DOUBLE', nullable: true },
      { name: 'label', data: ['x', 'x', 'x', 'y', 'y', 'x'], type: 'STRING' },
    ],
  });
  return Buffer.from(buf);
}

const LOADERS: Array<{ name: string; file: string; seed: Buffer; config: DataConfig; extra?: Record<string, string> }> = [
  {
    name: 'long CSV (+ metadata, context, labels)',
    file: 's.csv',
    seed: Buffer.from(long),
    config: { series: { path: 's.csv', format: 'long' }, metadata: { path: 'm.csv', fields: { age: 'numeric', ward: 'categorical' } }, context: { path: 'c.csv', fields: { mode: 'categorical' } }, labels: { path: 'l.csv' } },
    extra: { 'm.csv': metadata, 'c.csv': context, 'l.csv': labels },
  },
  { name: 'wide CSV', file: 's.csv', seed: Buffer.from('id,label,hr__0,hr__1,temp__0,temp__1\np1,a,80,82,36.5,36.6\np2,b,90,,37,\np3,a,,,,\n'), config: { series: { path: 's.csv', format: 'wide', label: 'label' } } },
  { name: 'JSONL', file: 's.jsonl', seed: Buffer.from('{"id":"a","values":{"v":[1,2,null]},"times":[0,1,2],"label":"x","metadata":{"m":"k","n":3}}\n{"id":"b","values":{"v":[3]},"label":"y","metadata":{"m":"j"}}\n{"id":7,"values":{"v":[1e3,-2.5]},"label":["p","q"]}\n'), config: { series: { path: 's.jsonl', format: 'jsonl' } } },
  {
    name: '.ts',
    file: 's.ts',
    seed: Buffer.from('# a comment\n@problemName fuzz\n@timeStamps false\n@missing true\n@univariate false\n@dimensions 2\n@equalLength false\n@classLabel true a b\n@data\n1,2,3:4,5,6:a\n1,?,3:4,5,?:b\n7,8:9,10:a\n'),
    config: { series: { path: 's.ts', format: 'ts' } },
  },
  { name: 'Parquet', file: 's.parquet', seed: parquetSeed(), config: { series: { path: 's.parquet', format: 'parquet', label: 'label' } } },
];

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzz: every loader loads or throws a MetaseriesError on damaged files', () => {
  it.each(LOADERS.map((l, i) => [l.name, i] as const))(`%s: ${CASES} damaged files`, async (_name, index) => {
    const loader = LOADERS[index]!;
    const rng = createRng(20261125 + index);
    const dir = mkdtempSync(path.join(tmpdir(), 'fuzz-'));
    try {
      for (const [name, text] of Object.entries(loader.extra ?? {})) writeFileSync(path.join(dir, name), text);
      const seen = new Map<string, number>();
      const failures: string[] = [];
      let huge = 0;
      for (let c = 0; c < CASES; c++) {
        let kind: Mutation = MUTATIONS[rng.int(MUTATIONS.length)]!;
        // a million-column line costs ~50 ms: allow 3 per loader, plus 3 of 20k columns (below the cap)
        if (kind === 'hugeLine' && huge >= 6) kind = 'flipBytes';
        const columns = kind === 'hugeLine' ? (huge++ < 3 ? 1_000_000 : 20_000) : 0;
        let bytes = mutate(loader.seed, kind, rng, columns);
        if (kind !== 'hugeLine' && rng.next() < 0.3) bytes = mutate(bytes, MUTATIONS[rng.int(MUTATIONS.length - 1)]!, rng, 10); // a second, smaller blow
        // half the time damage a side table instead of the series file
        const sides = Object.keys(loader.extra ?? {});
        const target = sides.length && rng.next() < 0.3 ? sides[rng.int(sides.length)]! : loader.file;
        writeFileSync(path.join(dir, loader.file), target === loader.file ? bytes : loader.seed);
        for (const side of sides) writeFileSync(path.join(dir, side), side === target ? mutate(Buffer.from(loader.extra![side]!), kind, rng, Math.min(columns, 20_000)) : loader.extra![side]!);
        let outcome: string;
        const t0 = Date.now();
        try {
          const res = await withTimeout(loadDataset(loader.config, { baseDir: dir, maxLineLength: MAX_LINE }), CASE_TIMEOUT_MS);
          outcome = res === 'timeout' ? 'timeout' : 'loaded';
        } catch (e) {
          outcome = isMetaseriesError(e) ? (e as { code: string }).code : `non-MetaseriesError ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
        }
        if (process.env.FUZZ_TRACE && Date.now() - t0 > 100) process.stderr.write(`slow case ${index}/${c} ${kind} ${target}: ${Date.now() - t0} ms ${outcome}\n`);
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        if (outcome === 'timeout' || outcome.startsWith('non-')) failures.push(`case ${c} (${kind} on ${target}): ${outcome}`);
      }
      if (process.env.FUZZ_SUMMARY) process.stderr.write(`${loader.name}: ${JSON.stringify(Object.fromEntries(seen))}\n`);
      expect(failures).toEqual([]);
      const total = [...seen.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(CASES);
      // the damage must be real: most cases are refused, some still load
      expect(seen.get('loaded') ?? 0).toBeGreaterThan(0);
      expect(total - (seen.get('loaded') ?? 0)).toBeGreaterThan(CASES / 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
