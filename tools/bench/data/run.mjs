#!/usr/bin/env node
// npm run bench:data [-- --rows 1000000] [--ids 10000] [--context-rows N] [--dir DIR] [--seed 7]
//                       [--json FILE] [--no-parquet] [--no-pandas] [--engines js,duckdb]
// The data-pipeline benchmark of issue 5: load a long CSV + align a context table as-of + z-score
// every channel per operating regime, with metaseries (@metaseries/data's public API) and with
// pandas (read_csv + merge_asof + groupby z-score), side by side in ONE run, each in its own child
// process (wall time measured here; CPU time and peak RSS reported by the child itself). Both
// compute the same order-independent checksum, so the table also shows they did the same work.
// Inputs are generated (seeded) once per size into --dir (default /tmp/metaseries-bench-data-<rows>).
// --engines (default js) adds a row per @metaseries/data engine: `duckdb` reads the files with DuckDB
// and aligns with its ASOF JOIN inside loadDataset (its load column then includes the alignment).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : def;
};
const rows = Number(opt('rows', 10_000_000));
const ids = Number(opt('ids', 10_000));
// the generator writes the same number of context rows for every id (at least one)
const contextRows = Math.max(1, Math.floor(Number(opt('context-rows', Math.round(rows / 10))) / ids)) * ids;
const seed = Number(opt('seed', 7));
const dir = opt('dir', `/tmp/metaseries-bench-data-${rows}`);
const log = (s) => process.stderr.write(`bench:data: ${s}\n`);
const engines = opt('engines', 'js').split(',').filter(Boolean);

// 1. inputs (kept between runs: same parameters, same bytes)
const params = JSON.stringify({ rows, ids, contextRows, seed, version: 1 });
const stamp = path.join(dir, 'params.json');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== params) {
  log(`generating ${rows.toLocaleString('en-US')} series rows, ${contextRows.toLocaleString('en-US')} context rows in ${dir}...`);
  generate({ dir, rows, ids, contextRows, seed });
  writeFileSync(stamp, params);
}
const parquet = !flag('no-parquet');
if (parquet && !existsSync(path.join(dir, 'series.parquet'))) {
  log('writing series.parquet (hyparquet-writer)...');
  execFileSync(process.execPath, [path.join(here, 'make-parquet.mjs'), '--dir', dir], { stdio: 'inherit' });
}

/** Runs one side in a child process; returns its JSON line plus the wall time seen from here. */
function measure(name, command, args) {
  log(`${name}...`);
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    log(`${name} failed (exit ${r.status ?? r.signal})`);
    process.exitCode = 1;
    return undefined;
  }
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), wall };
}

const results = [];
for (const engine of engines) {
  const ours = measure(`metaseries (${engine}), long CSV`, process.execPath, [path.join(here, 'measure-metaseries.mjs'), '--dir', dir, '--engine', engine]);
  if (ours) results.push(ours);
}

let pandasNote = '';
let pandas = !flag('no-pandas');
if (pandas) {
  try {
    execFileSync('bash', [path.join(here, 'setup.sh')], { stdio: 'inherit' });
  } catch {
    log('pandas is not installed and could not be (setup.sh needs root and the Debian archive): pandas side skipped');
    pandas = false;
    process.exitCode = 1;
  }
}
if (pandas) {
  const ref = measure('pandas, long CSV', '/usr/bin/python3', [path.join(here, 'pandas_pipeline.py'), '--dir', dir]);
  if (ref) results.push(ref);
}
if (parquet) {
  for (const engine of engines) {
    const pq = measure(`metaseries (${engine}), Parquet`, process.execPath, [path.join(here, 'measure-metaseries.mjs'), '--dir', dir, '--format', 'parquet', '--engine', engine]);
    if (pq) results.push(pq);
  }
  const hasArrow = spawnSync('/usr/bin/python3', ['-c', 'import pyarrow'], { stdio: 'ignore' }).status === 0 || spawnSync('/usr/bin/python3', ['-c', 'import fastparquet'], { stdio: 'ignore' }).status === 0;
  if (hasArrow && pandas) {
    const ref = measure('pandas, Parquet', '/usr/bin/python3', [path.join(here, 'pandas_pipeline.py'), '--dir', dir, '--format', 'parquet']);
    if (ref) results.push(ref);
  } else pandasNote = 'pandas Parquet: not measured (neither pyarrow nor fastparquet is packaged for this Debian; pandas cannot read Parquet without one).';
}

// 2. table
const base = Object.fromEntries(results.filter((r) => r.impl === 'pandas').map((r) => [r.format, r]));
const pandasCsv = base.long;
const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const lines = [
  `rows ${rows.toLocaleString('en-US')}, ids ${ids.toLocaleString('en-US')}, context rows ${contextRows.toLocaleString('en-US')}, 4 channels; load + as-of align + per-regime z-score`,
  '',
  '| impl | input | wall s | CPU s | rows/s (wall) | peak RSS MB | rows/s × pandas | RSS × pandas | load / align / z-score s | checksum |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|---:|',
];
for (const r of results) {
  const p = base[r.format] ?? pandasCsv;
  const rate = r.rows / r.wall;
  lines.push(
    `| ${r.impl} | ${r.format === 'long' ? 'CSV' : r.format} | ${fmt(r.wall, 1)} | ${fmt(r.cpu, 1)} | ${fmt(rate)} | ${fmt(r.peakRssMb)} | ${p ? fmt(rate / (p.rows / p.wall), 2) : '—'} | ${p ? fmt(r.peakRssMb / p.peakRssMb, 2) : '—'} | ${[r.stages.load, r.stages.align, r.stages.zscore].map((s) => fmt(s, 1)).join(' / ')} | ${r.checksum.toFixed(1)} |`,
  );
}
if (pandasNote) lines.push('', pandasNote);
process.stdout.write(lines.join('\n') + '\n');
const jsonOut = opt('json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, ids, contextRows, seed, results }, null, 2));
