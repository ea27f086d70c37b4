#!/usr/bin/env node
// npm run bench [-- --quick] [--json FILE] [--backends wasm,cpu] [--models M0,M1,M2,M3,C1]
// Runs the DESIGN workloads with metaseries on every backend present and the same models in
// PyTorch, in ONE run (these machines are noisy: only ratios measured side by side mean much),
// and prints a table with ratios to PyTorch.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
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

const rows = [];
for (const backend of backends) {
  const m = backend === 'cpu' && quick ? 'M0' : models;
  process.stderr.write(`bench: metaseries on ${backend} (${m})...\n`);
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

process.stderr.write('bench: PyTorch reference...\n');
execFileSync('bash', [path.join(here, 'setup.sh')], { stdio: 'inherit' });
const torchJson = path.join(here, '.torch-rows.json');
execFileSync('/usr/bin/python3', [path.join(here, 'reference/torch_models.py'), '--models', models, '--json', torchJson, ...(quick ? ['--quick'] : [])], {
  stdio: ['ignore', 'inherit', 'ignore'],
});
if (existsSync(torchJson)) rows.push(...JSON.parse((await import('node:fs')).readFileSync(torchJson, 'utf8')).rows);

// the machine's matrix-product peak (PyTorch, both cores) and each workload's FLOPs per training
// sample: how much of the machine each implementation's training uses
process.stderr.write('bench: FLOPs per sample and matrix-product peaks...\n');
const peakRun = spawnSync(process.execPath, [path.join(here, 'peak.mjs'), '--models', models], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const torchPeak = spawnSync('/usr/bin/python3', [path.join(here, 'reference/matmul_peak.py'), '--threads', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const peak = peakRun.status === 0 ? JSON.parse(peakRun.stdout.trim().split('\n').pop()) : null;
const machinePeakGflops = torchPeak.status === 0 ? JSON.parse(torchPeak.stdout.trim().split('\n').pop()).gflops : null;
for (const r of rows) {
  const f = peak?.flopsPerTrainSample?.[r.model];
  if (!f || !r.trainSamplesPerSec) continue;
  r.trainGflops = (f * r.trainSamplesPerSec) / 1e9;
  if (machinePeakGflops) r.trainPeakFraction = r.trainGflops / machinePeakGflops;
}

const torch = Object.fromEntries(rows.filter((r) => r.impl === 'pytorch').map((r) => [r.model, r]));
const fmt = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
// a ratio, or — when either side is missing (an onnx row has no training figures)
const ratio = (a, b) => (a === null || a === undefined || !b ? undefined : a / b);
const lines = [
  '| model | impl | backend | train samples/s | infer samples/s | B=1 latency ms | peak RSS MB | train × PyTorch | infer × PyTorch | latency × PyTorch | train GFLOP/s (% of peak) |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  const t = torch[r.model];
  lines.push(
    `| ${r.model} | ${r.impl} | ${r.backend} | ${fmt(r.trainSamplesPerSec)} | ${fmt(r.inferSamplesPerSec)} | ${fmt(r.latencyMsB1, 2)} | ${fmt(r.peakRssMb)} | ${fmt(ratio(r.trainSamplesPerSec, t?.trainSamplesPerSec), 2)} | ${fmt(ratio(r.inferSamplesPerSec, t?.inferSamplesPerSec), 2)} | ${fmt(ratio(r.latencyMsB1, t?.latencyMsB1), 2)} | ${r.trainGflops === undefined ? '—' : `${fmt(r.trainGflops, 1)} (${fmt(100 * (r.trainPeakFraction ?? NaN), 0)} %)`} |`,
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
