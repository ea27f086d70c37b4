#!/usr/bin/env node
// npm run bench [-- --quick] [--json FILE] [--backends wasm,cpu] [--models M0,M1,M2,M3,C1] [--rounds N]
// Runs the DESIGN workloads with metaseries on every backend present and the same models in
// PyTorch, in ONE run (these machines are noisy: only ratios measured side by side mean much),
// and prints a table with ratios to PyTorch. With --rounds N (default 3, 1 with --quick) the
// measurements alternate, metaseries then PyTorch, N times: each figure is the median over rounds,
// and each ratio the median of the N ratios measured next to each other (a slow minute of the
// shared machine then moves one round, not every figure of one side).
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : def;
};
const quick = flag('quick');
const models = opt('models', 'M0,M1,M2,M3,C1');
const require = createRequire(import.meta.url);
const present = ['wasm', 'cpu'];
try {
  require.resolve('@tensorflow/tfjs-node');
  present.unshift('tensorflow');
} catch {
  /* optional backend not installed */
}
try {
  // serving only: fusion's exportOnnx + onnxruntime-node (inference and B=1 latency; no training)
  require.resolve('onnxruntime-node');
  present.push('onnx');
} catch {
  /* optional runtime not installed */
}
// cpu is ~100x slower than wasm on conv and recurrent training: in --quick mode it runs M0 only.
const backends = opt('backends', present.join(',')).split(',');

// (opt() would take a missing value as the default: a bare --rounds is read here)
const roundsAt = argv.indexOf('--rounds');
const roundsArg = roundsAt >= 0 ? argv[roundsAt + 1] ?? '' : quick ? '1' : '3';
if (!/^[1-9]\d*$/.test(roundsArg)) {
  process.stderr.write(`bench: --rounds takes a whole number of rounds, 1 or more; saw ${JSON.stringify(roundsArg)}\n`);
  process.exit(2);
}
const rounds = Number(roundsArg);
const roundRows = [];
execFileSync('bash', [path.join(here, 'setup.sh')], { stdio: 'inherit' });
const torchJson = path.join(here, '.torch-rows.json');
for (let round = 1; round <= rounds; round++) {
const rows = [];
roundRows.push(rows);
for (const backend of backends) {
  const m = backend === 'cpu' && quick ? 'M0' : models;
  process.stderr.write(`bench: metaseries on ${backend} (${m}, round ${round}/${rounds})...\n`);
  const script = backend === 'onnx' ? ['measure-onnx.mjs'] : ['measure-metaseries.mjs', '--backend', backend];
  const r = spawnSync(process.execPath, [path.join(here, script[0]), ...script.slice(1), '--models', m, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${backend} failed (exit ${r.status})\n`);
    process.exitCode = 1;
    continue;
  }
  rows.push(...JSON.parse(r.stdout.trim().split('\n').pop()).rows);
}

process.stderr.write(`bench: PyTorch reference (round ${round}/${rounds})...\n`);
execFileSync('/usr/bin/python3', [path.join(here, 'reference/torch_models.py'), '--models', models, '--json', torchJson, ...(quick ? ['--quick'] : [])], {
  stdio: ['ignore', 'inherit', 'ignore'],
});
if (existsSync(torchJson)) rows.push(...JSON.parse(readFileSync(torchJson, 'utf8')).rows);
}

// one row per (model, impl, backend): the median of each figure over the rounds, and each ratio
// to PyTorch as the median of the rounds' own ratios
const medianOf = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};
const keyOf = (r) => `${r.model}|${r.impl}|${r.backend}`;
const rows = [];
for (const first of roundRows[0]) {
  const mine = roundRows.map((rs) => rs.find((r) => keyOf(r) === keyOf(first)));
  const torchRow = roundRows.map((rs) => rs.find((r) => r.model === first.model && r.impl === 'pytorch'));
  // each round's ratio to PyTorch (null where either side lacks the figure: onnx has no training)
  const byRound = (field) => mine.map((m, i) => (m?.[field] && torchRow[i]?.[field] ? m[field] / torchRow[i][field] : null));
  const row = { ...first };
  for (const [k, v] of Object.entries(first)) if (typeof v === 'number') row[k] = medianOf(mine.filter(Boolean).map((r) => r[k]));
  row.rounds = mine.filter(Boolean).length;
  row.trainVsPytorch = medianOf(byRound('trainSamplesPerSec'));
  row.inferVsPytorch = medianOf(byRound('inferSamplesPerSec'));
  row.latencyVsPytorch = medianOf(byRound('latencyMsB1'));
  if (rounds > 1) row.trainVsPytorchByRound = byRound('trainSamplesPerSec');
  rows.push(row);
}

// the machine's matrix-product peak (PyTorch, both cores) and each workload's FLOPs per training
// sample: how much of the machine each implementation's training uses
process.stderr.write('bench: FLOPs per sample and matrix-product peaks...\n');
// METASERIES_TILE_GEMM=0: every product through the BatchMatMul kernel that peak.mjs counts
const peakRun = spawnSync(process.execPath, [path.join(here, 'peak.mjs'), '--models', models], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, METASERIES_TILE_GEMM: '0' } });
const torchPeak = spawnSync('/usr/bin/python3', [path.join(here, 'reference/matmul_peak.py'), '--threads', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const peak = peakRun.status === 0 ? JSON.parse(peakRun.stdout.trim().split('\n').pop()) : null;
const machinePeakGflops = torchPeak.status === 0 ? JSON.parse(torchPeak.stdout.trim().split('\n').pop()).gflops : null;
for (const r of rows) {
  const f = peak?.flopsPerTrainSample?.[r.model];
  if (!f || !r.trainSamplesPerSec) continue;
  r.trainGflops = (f * r.trainSamplesPerSec) / 1e9;
  if (machinePeakGflops) r.trainPeakFraction = r.trainGflops / machinePeakGflops;
}

const fmt = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const lines = [
  `| model | impl | backend | train samples/s | infer samples/s | B=1 latency ms | peak RSS MB | train × PyTorch${rounds > 1 ? ' (each round)' : ''} | infer × PyTorch | latency × PyTorch | train GFLOP/s (% of peak) |`,
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  lines.push(
    `| ${r.model} | ${r.impl} | ${r.backend} | ${fmt(r.trainSamplesPerSec)} | ${fmt(r.inferSamplesPerSec)} | ${fmt(r.latencyMsB1, 2)} | ${fmt(r.peakRssMb)} | ${fmt(r.trainVsPytorch, 2)}${r.trainVsPytorchByRound && r.impl !== 'pytorch' && r.trainVsPytorch !== null ? ` (${r.trainVsPytorchByRound.map((x) => fmt(x, 2)).join(', ')})` : ''} | ${fmt(r.inferVsPytorch, 2)} | ${fmt(r.latencyVsPytorch, 2)} | ${r.trainGflops === undefined ? '—' : `${fmt(r.trainGflops, 1)} (${fmt(100 * (r.trainPeakFraction ?? NaN), 0)} %)`} |`,
  );
}
process.stdout.write(lines.join('\n') + '\n');
if (peak || machinePeakGflops) {
  process.stdout.write(
    `\nPeaks (float32 1024³ product): machine ${fmt(machinePeakGflops, 1)} GFLOP/s (PyTorch, 2 threads); ` +
      `tfjs-wasm one thread ${fmt(peak?.wasmGflopsOneThread, 1)} GFLOP/s. FLOPs per training sample: ` +
      Object.entries(peak?.flopsPerTrainSample ?? {}).map(([m, f]) => `${m} ${fmt(f / 1e6, 1)} M`).join(', ') + '.\n',
  );
}
const jsonOut = opt('json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ quick, rows, peaks: { machineGflops: machinePeakGflops, wasmGflopsOneThread: peak?.wasmGflopsOneThread ?? null, flopsPerTrainSample: peak?.flopsPerTrainSample ?? null } }, null, 2));
