#!/usr/bin/env node
// node tools/bench/accuracy/run.mjs [--quick] [--seeds N] [--datasets a,b] [--out DIR] [--merge] [--render] [--bn-momentum M] [--azure] [--jobs N] [--merge-from DIR,...]
//
// Trains the example config of each real dataset (examples/<id>/config.yaml) with seeds 1..N
// through @metaseries/pipeline (one child process per run, one run at a time — or N at a time with
// --jobs N, each run then on one thread: train.threads 1), scores it on the
// official TEST file (data.test), and writes results.md + results.json: test accuracy mean ± sd
// beside the published deep-learning figure, validation accuracy, epochs and train wall time.
//
// --quick: the CI subset (ItalyPowerDemand + BasicMotions, 1 seed, fewer epochs); exits 1 when a
// dataset's test accuracy falls below its stated floor. Its tables go to a temp folder unless
// --out is given, so the committed full table is not overwritten.
// Every setting in the configs was chosen on validation accuracy/loss only (see README.md).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS, QUICK } from './datasets.mjs';
import { readArgs } from './bench-args.mjs';
import { runTrainOne } from './train-one-process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const { opt, flag } = readArgs('accuracy', {
  options: ['seeds', 'datasets', 'out', 'bn-momentum', 'jobs', 'merge-from'],
  switches: ['quick', 'merge', 'render', 'azure'],
});
const quick = flag('quick');
// --azure: also the Azure PdM per-component ablation (azure-pdm.mjs, its own azure-pdm-results.*);
// part of a full run (no --quick, --datasets or --render), never of --quick unless asked for
const azure = flag('azure') || (!quick && !flag('render') && opt('datasets') === undefined);
// --bn-momentum M: an EXPERIMENT on a fusion default (batch-norm momentum, tfjs's is 0.99); the
// tables say so in their title. Give it an --out of its own.
const bnMomentum = opt('bn-momentum');
const seeds = Number(opt('seeds', quick ? '1' : '3'));
const wanted = opt('datasets', quick ? QUICK.join(',') : DATASETS.map((d) => d.id).join(','))
  .split(',')
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);
const unknown = wanted.filter(
  (w) => !DATASETS.some((d) => d.id === w || d.name.toLowerCase() === w),
);
if (unknown.length || !Number.isInteger(seeds) || seeds < 1) {
  process.stderr.write(
    `accuracy: ${unknown.length ? `unknown dataset(s) ${unknown.join(', ')}; known: ${DATASETS.map((d) => d.id).join(', ')}` : '--seeds must be a positive integer'}\n`,
  );
  process.exit(2);
}
const outDir = path.resolve(
  opt('out', quick ? path.join(os.tmpdir(), 'metaseries-accuracy-quick') : here),
);
const selected = flag('render')
  ? []
  : DATASETS.filter((d) => wanted.includes(d.id) || wanted.includes(d.name.toLowerCase()));

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(3));

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();
  // a row measured with uncommitted configs or sources says so: the commit alone would not reproduce it
  const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'examples', 'packages', 'tools/bench/accuracy/datasets.mjs'], { cwd: repo, encoding: 'utf8' }).trim();
  if (changed) commit += '+uncommitted';
} catch {
  /* not a git checkout */
}
const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} (shared), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, tfjs backend ${process.env.METASERIES_BACKEND ?? 'auto (wasm here)'}`;
// --merge: keep the rows of datasets not run now from the existing results.json (each row
// carries the date, commit and machine it was measured on), so one dataset can be re-measured.
// --render: no training; rewrite results.md from results.json (implies --merge).
const render = flag('render');
const merge = render || flag('merge');
const resultsFile = path.join(outDir, 'results.json');
const previous =
  merge && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { rows: [] };
// A previous row stays until this run measures its dataset again (a dataset whose runs all
// failed keeps its old row instead of vanishing from the table).
const previousRows = previous.rows.map((r) => ({
  measured: { date: previous.date, commit: previous.commit, machine: previous.machine },
  ...r,
}));
// --merge-from DIR[,DIR...]: the rows of DIR/results.json (runs measured into another --out, for
// example at the same time as this one) replace this table's rows of the same datasets.
for (const dir of (opt('merge-from') ?? '').split(',').filter(Boolean)) {
  const other = JSON.parse(readFileSync(path.join(path.resolve(dir), 'results.json'), 'utf8'));
  for (const r of other.rows) {
    const row = { measured: { date: other.date, commit: other.commit, machine: other.machine }, ...r };
    const i = previousRows.findIndex((p) => p.id === r.id);
    if (i >= 0) previousRows[i] = row;
    else previousRows.push(row);
  }
}
const order = (r) => DATASETS.findIndex((d) => d.id === r.id);

function writeTables(done) {
  const kept = previousRows.filter((r) => !rows.some((n) => n.id === r.id));
  const all = [...kept, ...rows].sort((a, b) => order(a) - order(b));
  const dates = all
    .map((r) => r.measured?.date)
    .filter(Boolean)
    .sort();
  const meta = {
    date: new Date().toISOString(),
    machine,
    commit,
    quick,
    seeds,
    ...(bnMomentum && { experiment: { bnMomentum: Number(bnMomentum) } }),
    complete: done,
    totalSeconds: (Date.now() - started) / 1000,
  };

  const md = [
    `# metaseries accuracy on the official test splits${quick ? ' (--quick subset)' : ''}${bnMomentum ? ` — EXPERIMENT: batch-norm momentum ${bnMomentum} (not the shipped fusion default)` : ''}`,
    '',
    `Measured ${dates.length > 1 && dates[0].slice(0, 16) !== dates.at(-1).slice(0, 16) ? `${dates[0].slice(0, 16).replace('T', ' ')} to ${dates.at(-1).slice(0, 16).replace('T', ' ')}` : meta.date.slice(0, 16).replace('T', ' ')} UTC on ${machine}; commit ${[...new Set(all.map((r) => r.measured?.commit ?? commit))].join(', ')} (per row in results.json); ${seeds} seed(s) per dataset unless the row says fewer (seed s sets the validation split drawn from TRAIN and the initial weights); train wall time summed over all runs in the table ${(all.reduce((a, r) => a + r.trainSeconds.values.reduce((x, y) => x + y, 0), 0) / 60).toFixed(1)} min${done ? '' : ' (run still going: partial table)'}.`,
    'Written by `node tools/bench/accuracy/run.mjs` — never edited by hand. Every setting in `examples/<dataset>/config.yaml` was chosen on validation (carved from TRAIN) only; the TEST file is used for this table alone.',
    '',
    '| dataset | ours: test accuracy mean ± sd | per seed | published (deep learning, default split) | issue-11 target | valid accuracy | epochs run | train wall time / run | config |',
    '|---|---:|---|---|---:|---:|---|---:|---|',
    ...all.map(
      (r) =>
        `| ${r.dataset} | **${f3(r.test.accuracy.mean)} ± ${f3(r.test.accuracy.sd)}** | ${r.test.accuracy.values.map(f3).join(', ')} | ${r.published ? `${f3(r.published.value)} ${r.published.model}¹` : 'none found'} | ${f3(r.target)} | ${r.noValidationSplit ? '—³' : f3(r.valid.accuracy.mean)} | ${r.ridgeAlphas ? `none: ridge⁴, α ${r.ridgeAlphas.map((a) => Number(a.toPrecision(2))).join(', ')}` : `${r.epochsRun.join(', ')} of ${r.epochs}`}${r.refitEpochs ? `; refit² ${r.refitEpochs.join(', ')}` : ''} | ${r.trainSeconds.mean.toFixed(0)} s | [${r.config}](${path.relative(outDir, path.join(repo, r.config))}) |`,
    ),
    '',
    // (a table of sets with no published figure, e.g. PLAID alone, has no footnote ¹)
    ...(all.some((r) => r.published)
      ? [`¹ Sources: ${[...new Set(all.flatMap((r) => (r.published ? [r.published.source] : [])))].join('; ')}. Each dataset's README in ../shared/data names the repository and commit.`]
      : []),
    ...(all.some((r) => r.refitEpochs)
      ? [
          '',
          '² `train.refit`: after the run (whose best epoch count validation chose), a second model from the same initial weights was trained on train + validation (all of TRAIN) for that many epochs, replaying the learning rates; that model is the one scored on test. "valid accuracy" is the first model\'s.',
        ]
      : []),
    ...(all.some((r) => r.noValidationSplit)
      ? [
          '',
          '³ `split.valid: 0`: the model trained on all of TRAIN with no validation split (early stopping and the schedule watch the training loss). Its settings were chosen by 4-fold cross-validation on TRAIN (`cv-train.mjs`; the lines are in `sweeps/cv-*.jsonl`), the TEST file unread.',
        ]
      : []),
    ...(all.some((r) => r.ridgeAlphas)
      ? [
          '',
          '⁴ `train.solver: ridge` (with `model.encoder: minirocket`): no gradient epochs; the output layer is the ridge regression of ±1 class targets on the MiniRocket features (fitted on TRAIN), its penalty α chosen among 10 values from 1e-3 to 1e3 by exact leave-one-out error on the training records.',
        ]
      : []),
    ...(quick
      ? [
          '',
          '| dataset | floor | passed |',
          '|---|---:|---|',
          ...rows
            .filter((r) => r.quickFloor !== undefined)
            .map((r) => `| ${r.dataset} | ${f3(r.quickFloor)} | ${r.passed ? 'yes' : '**NO**'} |`),
        ]
      : []),
    '',
  ].join('\n');

  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    resultsFile,
    JSON.stringify(
      render ? { ...previous, rows: all, renderedAt: meta.date } : { ...meta, rows: all },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(path.join(outDir, 'results.md'), md);
  return md;
}

// The data is not shipped: say which folder is missing instead of failing inside a run.
const dataRoot = path.resolve(repo, '../shared/data');
const missing = selected.filter((d) => !existsSync(path.join(dataRoot, d.name)));
if (missing.length) {
  process.stderr.write(
    `accuracy: ${missing.map((d) => path.join(dataRoot, d.name)).join(', ')} missing: the bench needs the shared data folder beside the checkout (see ../shared/data/README.md)\n`,
  );
  process.exit(2);
}

const started = Date.now();
const rows = [];
let failed = false;
const jobs = Math.max(1, Number(opt('jobs', '1')));

/** Seeds run for dataset `d` (PLAID: fewer, for its cost). */
const seedsOf = (d) => Math.min(seeds, d.maxSeeds ?? seeds);

/** One training run as a child process: its JSON line, or null when it failed. */
async function trainOne(d, seed) {
  const args = [
    '--config',
    path.join(repo, 'examples', d.id, 'config.yaml'),
    '--seed',
    String(seed),
    ...(quick && d.quickEpochs ? ['--epochs', String(d.quickEpochs)] : []),
    ...(bnMomentum ? ['--bn-momentum', bnMomentum] : []),
    ...(jobs > 1 ? ['--set', 'train.threads=1'] : []),
  ];
  process.stderr.write(`accuracy: ${d.name} seed ${seed}/${seedsOf(d)}${quick && d.quickEpochs ? ` (${d.quickEpochs} epochs)` : ''}...\n`);
  const { status, run, stderr } = await runTrainOne(args);
  if (!run) {
    process.stderr.write(`accuracy: ${d.name} seed ${seed} failed (exit ${status})\n${stderr}\n`);
    failed = true;
    return null;
  }
  process.stderr.write(`accuracy: ${d.name} seed ${seed}: test accuracy ${f3(run.test.accuracy)}, ${run.epochsRun} epochs, ${run.trainSeconds.toFixed(0)} s\n`);
  return run;
}

// every (dataset, seed) run, `jobs` at a time; a dataset's row is written when its last run ends
const tasks = selected.flatMap((d) => Array.from({ length: seedsOf(d) }, (_, i) => ({ d, seed: i + 1 })));
const finished = new Map(selected.map((d) => [d.id, []]));
const pending = new Map(selected.map((d) => [d.id, seedsOf(d)]));
await Promise.all(
  Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
    for (let t = tasks.shift(); t; t = tasks.shift()) {
      const run = await trainOne(t.d, t.seed);
      if (run) finished.get(t.d.id).push(run);
      pending.set(t.d.id, pending.get(t.d.id) - 1);
      if (pending.get(t.d.id) === 0) addRow(t.d, finished.get(t.d.id).sort((a, b) => a.seed - b.seed));
    }
  }),
);

function addRow(d, runs) {
  const config = path.join(repo, 'examples', d.id, 'config.yaml');
  if (!runs.length) return;
  const acc = runs.map((r) => r.test.accuracy);
  const row = {
    id: d.id,
    measured: { date: new Date().toISOString(), commit, machine },
    dataset: d.name,
    config: path.relative(repo, config),
    seeds: runs.map((r) => r.seed),
    epochs: runs[0].epochs,
    test: {
      accuracy: { mean: mean(acc), sd: sd(acc), values: acc },
      f1_macro: { mean: mean(runs.map((r) => r.test.f1_macro)) },
      log_loss: { mean: mean(runs.map((r) => r.test.log_loss)) },
    },
    valid: {
      accuracy: {
        mean: mean(runs.map((r) => r.valid.accuracy)),
        values: runs.map((r) => r.valid.accuracy),
      },
    },
    ...(runs.every((r) => r.valid.accuracy === undefined) && { noValidationSplit: true }),
    epochsRun: runs.map((r) => r.epochsRun),
    // train.refit: the model scored was retrained on train + valid for this many epochs
    ...(runs.some((r) => r.refitEpochs) && { refitEpochs: runs.map((r) => r.refitEpochs) }),
    // train.solver ridge: no epochs; the penalty chosen (first output layer) per seed
    ...(runs.some((r) => r.ridgeAlphas) && { ridgeAlphas: runs.map((r) => r.ridgeAlphas?.[0] ?? null) }),
    bestEpoch: runs.map((r) => r.bestEpoch),
    trainSeconds: {
      mean: mean(runs.map((r) => r.trainSeconds)),
      values: runs.map((r) => r.trainSeconds),
    },
    published: d.published,
    target: d.target,
    ...(quick &&
      d.quickFloor !== undefined && {
        quickFloor: d.quickFloor,
        passed: mean(acc) >= d.quickFloor,
      }),
  };
  rows.push(row);
  writeTables(false);
}
process.stdout.write(writeTables(true));
process.stderr.write(`accuracy: wrote ${path.join(outDir, 'results.md')} and results.json\n`);

if (azure) {
  const args = [path.join(here, 'azure-pdm.mjs'), '--seeds', String(seeds), '--out', outDir];
  if (spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) failed = true;
}

const belowFloor = rows.filter((r) => r.passed === false);
if (belowFloor.length)
  process.stderr.write(
    `accuracy: below the floor: ${belowFloor.map((r) => `${r.dataset} ${f3(r.test.accuracy.mean)} < ${f3(r.quickFloor)}`).join('; ')}\n`,
  );
if (failed || belowFloor.length || rows.length < selected.length) process.exit(1);
