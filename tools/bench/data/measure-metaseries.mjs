// Child process: the metaseries side of the data benchmark, through @metaseries/data's public API.
// Loads the long CSV (or Parquet) with its context and labels, aligns the context as-of, and
// z-scores every channel per operating regime (the aligned context field `regime`, step by step).
// Prints one JSON line: { seconds, cpu, stages, cpuStages, peakRssMb, rows, records, checksum }.
// With --engine duckdb the files are read by DuckDB and the context aligned by its ASOF JOIN inside
// loadDataset (align: true), so the `load` stage includes the alignment and `align` is absent.
// Usage: node measure-metaseries.mjs --dir DIR [--format long|parquet] [--engine js|duckdb]
import { loadDataset, alignDatasetContext, fitNormaliser, applyNormaliser, asTrainIndices } from '@metaseries/data';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const dir = opt('dir', '/tmp/metaseries-bench-data');
const format = opt('format', 'long');
const engine = opt('engine', 'js');

const t0 = performance.now();
const stages = {};
const cpuStages = {};
let mark = t0;
let cpuMark = process.cpuUsage();
const stage = (name) => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  stages[name] = (now - mark) / 1000;
  cpuStages[name] = (cpu.user + cpu.system - cpuMark.user - cpuMark.system) / 1e6;
  mark = now;
  cpuMark = cpu;
};
const { dataset } = await loadDataset(
  {
    series: { path: format === 'parquet' ? 'series.parquet' : 'series.csv', format, id: 'id', time: 'time', channels: ['c0', 'c1', 'c2', 'c3'] },
    context: { path: 'context.csv', id: 'id', time: 'time', fields: { regime: 'categorical', load: 'numeric' } },
    labels: { path: 'labels.csv', id: 'id', label: 'label' },
  },
  { baseDir: dir, engine, align: engine === 'duckdb' },
);
stage('load');
const aligned = engine === 'duckdb' ? dataset : alignDatasetContext(dataset);
if (engine !== 'duckdb') stage('align');
const all = asTrainIndices(aligned.records.map((_, i) => i));
const state = fitNormaliser(aligned.records, all, { method: 'zscore', scope: 'group', groupBy: 'regime', groupSource: 'context' });
const normalised = applyNormaliser(state, aligned.records);
stage('zscore');
const seconds = (performance.now() - t0) / 1000;

// order-independent checksum, computed the same way by the pandas reference: sum of z(c0) * (time mod 7)
let checksum = 0;
let rows = 0;
for (const r of normalised) {
  const z = r.values[0];
  const times = r.times;
  rows += z.length;
  for (let i = 0; i < z.length; i++) if (z[i] === z[i]) checksum += z[i] * (times[i] % 7);
}
const usage = process.resourceUsage();
const peakRssMb = usage.maxRSS / 1024;
const cpu = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
process.stdout.write(JSON.stringify({ impl: engine === 'duckdb' ? 'metaseries (duckdb)' : 'metaseries', engine, format, seconds, cpu, stages, cpuStages, peakRssMb, rows, records: normalised.length, checksum, groups: Object.keys(state.stats).length - 1 }) + '\n');
