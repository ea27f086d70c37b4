#!/usr/bin/env node
// node tools/bench/accuracy/azure-pdm.mjs [--seeds N] [--folds K] [--epochs E] [--variants a,b] [--resamples B] [--out DIR] [--cache FILE] [--render]
//
// Azure PdM per-component failure prediction (examples/azure-pdm/config-components.yaml): which
// component fails within 24 h of the last 48 h of telemetry. It compares series only, series +
// context, each fusion strategy, and the config's fusion with each metadata / context field
// removed, on repeated K-fold group cross-validation BY MACHINE (no machine in two splits of a
// fit; every machine is scored once per seed), and writes azure-pdm-results.md and .json:
// out-of-fold PR-AUC and AUROC (one-vs-rest per component, macro over comp1…comp4) with 95%
// machine-cluster bootstrap intervals, the paired difference to the full model, per-component
// scores and wall times. The tables are written by this script only.
//
// Seed s draws the fold assignment of the machines, each fold's validation machines and the
// initial weights. Validation machines (a fifth of each fold's training machines) drive early
// stopping and temperature calibration; nothing was tuned on the held-out folds.
// Each finished fit is appended to --cache (default: a file in the temp folder), so a stopped
// run resumes where it stopped; --render rewrites the tables from the cache without training.
// Needs the built packages (npm run build) and ../shared/data/azure_pdm (exit 2 otherwise).
import { spawnSync, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// static imports: a lazy import() of a workspace library fails the repo's module-boundary lint
import { loadRunConfig, splitRunData, fit, scoreModel, preprocessingOf } from '@metaseries/pipeline';
import { groupKFold, splitDataset, asTrainIndices } from '@metaseries/data';
import { computeMetrics, auroc, averagePrecision, bootstrapInterval, pairedBootstrap } from '@metaseries/eval';
import { readArgs } from './bench-args.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const example = path.join(repo, 'examples/azure-pdm');
const dataDir = path.resolve(repo, '../shared/data/azure_pdm');
const { opt, flag } = readArgs('azure-pdm', {
  options: ['seeds', 'folds', 'epochs', 'variants', 'resamples', 'out', 'cache'],
  switches: ['render'],
});
const seeds = Number(opt('seeds', '3'));
const folds = Number(opt('folds', '5'));
const epochs = opt('epochs');
const render = flag('render');
const outDir = path.resolve(opt('out', here));
const cacheFile = path.resolve(opt('cache', path.join(os.tmpdir(), 'metaseries-azure-pdm-runs.jsonl')));
const resamples = Number(opt('resamples', '500'));
const COMPONENTS = ['comp1', 'comp2', 'comp3', 'comp4'];

// The rows. `fusion: null` = the config's fusion; `exclude` = fields left out of the model.
// Time-varying context is concatenated to the series at every step whatever the fusion, so
// "series only" must also exclude the context fields; `none` with context is "series + context".
const VARIANTS = [
  { id: 'series', name: 'series only', fusion: 'none', exclude: ['model', 'age', 'error', 'maint'] },
  { id: 'context', name: 'series + context (errors, maintenance)', fusion: 'none', exclude: [] },
  { id: 'early', name: 'all fields, early fusion', fusion: 'early', exclude: [] },
  { id: 'attention', name: 'all fields, attention fusion', fusion: 'attention', exclude: [] },
  { id: 'late', name: 'all fields, late fusion', fusion: 'late', exclude: [] },
  { id: 'film', name: 'all fields, FiLM fusion', fusion: 'film', exclude: [] },
  { id: 'gated', name: 'all fields, gated fusion', fusion: 'gated', exclude: [] },
  { id: 'no-model', name: '− model', fusion: null, exclude: ['model'] },
  { id: 'no-age', name: '− age', fusion: null, exclude: ['age'] },
  { id: 'no-error', name: '− error (context)', fusion: null, exclude: ['error'] },
  { id: 'no-maint', name: '− maint (context)', fusion: null, exclude: ['maint'] },
  { id: 'no-context', name: '− error − maint (static metadata only)', fusion: null, exclude: ['error', 'maint'] },
];
const wanted = opt('variants', VARIANTS.map((v) => v.id).join(',')).split(',');
const unknown = wanted.filter((w) => !VARIANTS.some((v) => v.id === w));
if (unknown.length || !(Number.isInteger(seeds) && seeds >= 1) || !(Number.isInteger(folds) && folds >= 2)) {
  process.stderr.write(`azure-pdm: ${unknown.length ? `unknown variant(s) ${unknown.join(', ')}; known: ${VARIANTS.map((v) => v.id).join(', ')}` : '--seeds must be >= 1 and --folds >= 2'}\n`);
  process.exit(2);
}
if (!existsSync(dataDir)) {
  process.stderr.write(`azure-pdm: ${dataDir} missing: the bench needs the shared data folder beside the checkout (see ../shared/data/README.md)\n`);
  process.exit(2);
}

const { checkLeaks } = await import(path.join(example, 'check-leaks.mjs'));

const configPath = path.join(example, 'config-components.yaml');
if (!render) {
  // the windows are derived data: cut them afresh, then prove them leak-free before any training
  const cut = spawnSync(process.execPath, [path.join(example, 'make-windows.mjs'), dataDir], { encoding: 'utf8' });
  if (cut.status !== 0) {
    process.stderr.write(`azure-pdm: make-windows failed\n${cut.stderr}`);
    process.exit(1);
  }
  process.stderr.write(`azure-pdm: ${cut.stderr.trim()}\n`);
}
const leaks = await checkLeaks(configPath, { data: dataDir });
if (leaks.problems.length) {
  process.stderr.write(`azure-pdm: the windows are not leak-free:\n  ${leaks.problems.join('\n  ')}\n`);
  process.exit(1);
}
const config = await loadRunConfig(configPath);
if (epochs) config.train.epochs = Number(epochs);
const { schema, labelled } = await splitRunData(config);
const dataset = { schema, records: labelled };
const classes = schema.label.classes ?? ['none', ...COMPONENTS];
const machines = [...new Set(labelled.map((r) => String(r.group)))].sort((a, b) => Number(a) - Number(b));
const recordsOf = machines.map((m) => labelled.flatMap((r, i) => (String(r.group) === m ? [i] : [])));
const yTrue = labelled.map((r) => String(r.label));
const support = Object.fromEntries(classes.map((c) => [c, yTrue.filter((y) => y === c).length]));

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
} catch {
  /* not a git checkout */
}
const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} (shared), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, tfjs backend ${process.env.METASERIES_BACKEND ?? 'auto (wasm here)'}`;
// a cached fit is reused only when it was made with the same settings
const settings = { epochs: config.train.epochs, folds, units: config.model.units, encoder: config.model.encoder, records: labelled.length };
const key = (variant, seed, fold) => `${variant}/${seed}/${fold}/${JSON.stringify(settings)}`;
const cache = new Map();
if (existsSync(cacheFile)) {
  for (const line of readFileSync(cacheFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const run = JSON.parse(line);
    cache.set(run.key, run);
  }
}

if (render && cache.size === 0) {
  process.stderr.write(`azure-pdm: --render found no cached fits in ${cacheFile} (give --cache FILE of an earlier run)\n`);
  process.exit(2);
}

/** Machine-level folds of seed s, each with its validation machines (a fifth of the rest). */
function foldsOf(seed) {
  return groupKFold(labelled, { k: folds, groupBy: 'group', seed }).map(({ train, test }, f) => {
    const trainRecords = train.map((i) => labelled[i]);
    const inner = splitDataset(trainRecords, { strategy: 'group', groupBy: 'group', valid: 0.2, test: 0, seed: seed * 100 + f });
    return { train: asTrainIndices(inner.train.map((j) => train[j])), valid: inner.valid.map((j) => train[j]), test };
  });
}

/** Out-of-fold probability rows of one variant and seed (null while a fold is missing). */
function outOfFold(variant, seed) {
  const rows = new Array(labelled.length);
  const runs = [];
  for (let f = 0; f < folds; f++) {
    const run = cache.get(key(variant, seed, f));
    if (!run) return null;
    const order = run.classes.map((c) => classes.indexOf(c));
    run.test.forEach((i, j) => {
      const row = new Array(classes.length).fill(0);
      run.outputs[j].forEach((p, c) => (row[order[c]] = p));
      rows[i] = row;
    });
    runs.push(run);
  }
  return { rows, runs };
}

const meanOf = (xs) => {
  const d = xs.filter((x) => Number.isFinite(x));
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : NaN;
};
/** One-vs-rest AUROC / PR-AUC of a component (or `any`: 1 − P(none)) on record indices. */
function oneVsRest(rows, idx, c, metric) {
  const positive = idx.map((i) => (c === 'any' ? yTrue[i] !== 'none' : yTrue[i] === c));
  const k = classes.indexOf(c === 'any' ? 'none' : c);
  const score = idx.map((i) => (c === 'any' ? 1 - rows[i][k] : rows[i][k]));
  return metric === 'auroc' ? auroc(positive, score) : averagePrecision(positive, score);
}
/** A scalar score of probability rows on record indices: `pr_auc` / `auroc` (macro over comp1…comp4), `any_pr_auc`, `any_auroc`. */
function score(rows, idx, metric) {
  if (metric.startsWith('any_')) return oneVsRest(rows, idx, 'any', metric.slice(4));
  return meanOf(COMPONENTS.map((c) => oneVsRest(rows, idx, c, metric)));
}
/** Every score, per component, and eval's balanced accuracy (argmax), on record indices. */
function scores(rows, idx) {
  const perComponent = Object.fromEntries(COMPONENTS.map((c) => [c, { auroc: oneVsRest(rows, idx, c, 'auroc'), pr_auc: oneVsRest(rows, idx, c, 'pr_auc') }]));
  const all = computeMetrics('multiclass', idx.map((i) => yTrue[i]), idx.map((i) => rows[i]), { classes }).values;
  return {
    pr_auc: meanOf(COMPONENTS.map((c) => perComponent[c].pr_auc)),
    auroc: meanOf(COMPONENTS.map((c) => perComponent[c].auroc)),
    any_pr_auc: oneVsRest(rows, idx, 'any', 'pr_auc'),
    any_auroc: oneVsRest(rows, idx, 'any', 'auroc'),
    balanced_accuracy: all.balanced_accuracy,
    perComponent,
  };
}

function writeTables(done) {
  // partial tables (written after each seed while the run goes on) take fewer resamples
  const bo = { resamples: done ? resamples : Math.min(resamples, 100), seed: 11 };
  // machine-cluster bootstrap: resample machines, take all their windows (windows of one machine
  // are not independent); each resample scores every seed's out-of-fold predictions and averages
  const expand = (machineIdx) => machineIdx.flatMap((m) => recordsOf[m]);
  const reference = VARIANTS.find((v) => v.id === config.model.fusion);
  const results = [];
  const oofs = new Map();
  for (const v of selected) {
    const perSeed = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const o = outOfFold(v.id, seed);
      if (o) perSeed.push({ seed, ...o });
    }
    if (perSeed.length) oofs.set(v.id, perSeed);
  }
  const statistic = (perSeed, metric) => (machineIdx) => {
    const idx = expand(machineIdx);
    const vals = perSeed.map((s) => score(s.rows, idx, metric));
    return vals.reduce((a, b) => a + b, 0) / vals.length;
  };
  for (const v of selected) {
    const perSeed = oofs.get(v.id);
    if (!perSeed) continue;
    const all = machines.map((_, m) => m);
    const bySeed = perSeed.map((s) => scores(s.rows, expand(all)));
    const mean = (f) => bySeed.reduce((a, s) => a + f(s), 0) / bySeed.length;
    const sd = (f) => (bySeed.length < 2 ? 0 : Math.sqrt(bySeed.reduce((a, s) => a + (f(s) - mean(f)) ** 2, 0) / (bySeed.length - 1)));
    const fits = perSeed.flatMap((s) => s.runs);
    const row = {
      id: v.id,
      name: v.name,
      fusion: v.fusion ?? config.model.fusion,
      excluded: v.exclude,
      seeds: perSeed.map((s) => s.seed),
      pr_auc: { ...bootstrapInterval(machines.length, statistic(perSeed, 'pr_auc'), bo), sd: sd((s) => s.pr_auc), values: bySeed.map((s) => s.pr_auc) },
      auroc: { ...bootstrapInterval(machines.length, statistic(perSeed, 'auroc'), bo), sd: sd((s) => s.auroc), values: bySeed.map((s) => s.auroc) },
      any_pr_auc: { ...bootstrapInterval(machines.length, statistic(perSeed, 'any_pr_auc'), bo), sd: sd((s) => s.any_pr_auc) },
      any_auroc: { value: mean((s) => s.any_auroc), sd: sd((s) => s.any_auroc) },
      balanced_accuracy: { value: mean((s) => s.balanced_accuracy), sd: sd((s) => s.balanced_accuracy) },
      perComponent: Object.fromEntries(COMPONENTS.map((c) => [c, { support: support[c], auroc: mean((s) => s.perComponent[c].auroc), pr_auc: mean((s) => s.perComponent[c].pr_auc) }])),
      fits: fits.length,
      epochsRun: { mean: fits.reduce((a, r) => a + r.epochsRun, 0) / fits.length, max: Math.max(...fits.map((r) => r.epochsRun)) },
      secondsPerFit: fits.reduce((a, r) => a + r.seconds, 0) / fits.length,
      seconds: fits.reduce((a, r) => a + r.seconds, 0),
    };
    // paired difference to the full model (config fusion, all fields) on the same machines and seeds
    const ref = reference && oofs.get(reference.id);
    if (ref && v.id !== reference.id) {
      const common = perSeed.filter((s) => ref.some((r) => r.seed === s.seed)).map((s) => s.seed);
      const pick = (list) => list.filter((s) => common.includes(s.seed));
      if (common.length) {
        const d = pairedBootstrap(machines.length, statistic(pick(ref), 'pr_auc'), statistic(pick(perSeed), 'pr_auc'), bo);
        row.versusFull = { metric: 'pr_auc', seeds: common, difference: d.difference, pValue: d.pValue };
      }
    }
    results.push(row);
  }
  const seedsDone = Math.min(...results.map((r) => r.seeds.length));
  const totalSeconds = results.reduce((a, r) => a + r.seconds, 0);
  const meta = {
    title: 'Azure PdM: which component fails within 24 h, from 48 h of telemetry (metadata and context ablation)',
    date: new Date().toISOString(),
    machine,
    commit,
    config: path.relative(repo, configPath),
    complete: done,
    task: { records: labelled.length, machines: machines.length, classes, support, window: '48 h', horizon: '24 h' },
    protocol: { folds, seeds, grouping: 'machine', validation: 'a fifth of each fold\'s training machines', interval: `95% percentile bootstrap over machines (${bo.resamples} resamples), each resample averaging the seeds`, epochs: config.train.epochs, model: `${config.model.encoder} ${config.model.units} units, head ${config.model.headUnits}` },
    leakCheck: { windows: leaks.records, cellsChecked: leaks.steps, cellsWithContext: leaks.present, problems: leaks.problems.length },
    trainSeconds: totalSeconds,
    rows: results,
  };
  const ci = (x) => `${f3(x.value)} [${f3(x.low)}, ${f3(x.high)}]`;
  const pm = (x) => (x.sd !== undefined && results.some((r) => r.seeds.length > 1) ? ` ± ${f3(x.sd)}` : '');
  const diff = (r) => (r.versusFull ? `${r.versusFull.difference.value >= 0 ? '+' : ''}${f3(r.versusFull.difference.value)} [${f3(r.versusFull.difference.low)}, ${f3(r.versusFull.difference.high)}]` : '(reference)');
  const md = [
    `# ${meta.title}`,
    '',
    `Measured ${meta.date.slice(0, 16).replace('T', ' ')} UTC on ${machine}; commit ${commit}; ${done ? '' : '**partial (run still going)**; '}seeds ${seedsDone < seeds ? `${seedsDone} of ${seeds} done for every row` : `1–${seeds}`}; train wall time ${(totalSeconds / 60).toFixed(1)} min in all (${results.reduce((a, r) => a + r.fits, 0)} fits). Written by \`node tools/bench/accuracy/azure-pdm.mjs\` — never edited by hand.`,
    '',
    `**Task** ([config](${path.relative(outDir, configPath)})): ${labelled.length} windows of 48 hourly steps (volt, rotate, pressure, vibration) from ${machines.length} machines, stride 24 h; label = the component that fails within the 24 h after the window (${Object.entries(support).map(([c, n]) => `${c} ${n}`).join(', ')}; the lower-numbered component when two fail at the same hour). Static metadata: \`model\` (categorical), \`age\` (numeric). Context: \`error\` (last error) and \`maint\` (last replaced component), logged at or before each step and at most 48 h old (\`align: ffill\`); \`check-leaks.mjs\` verified ${leaks.steps.toLocaleString('en')} step × field cells against the raw logs before training (${leaks.problems.length} problems).`,
    '',
    `**Protocol**: ${folds}-fold cross-validation by machine, repeated with ${seeds} seed(s) (seed s draws the machine folds, each fold's validation machines and the initial weights); every machine is scored once per seed by a model that never saw it. ${config.model.encoder.toUpperCase()} ${config.model.units} units, head ${config.model.headUnits}, at most ${config.train.epochs} epochs, early stopping on validation AUROC (patience ${config.train.earlyStopping ? config.train.earlyStopping.patience : '—'}), balanced class weights, temperature calibration on validation. Nothing was tuned on the held-out machines. **Metrics** on the pooled out-of-fold predictions: PR-AUC and AUROC of each component one-vs-rest, macro over comp1…comp4 (PR-AUC is the honest one with ${support.comp1 + support.comp2 + support.comp3 + support.comp4} positives among ${labelled.length}; its chance level is the positive rate, ${COMPONENTS.map((c) => (support[c] / labelled.length).toFixed(3)).join(' / ')} for comp1…comp4); "any failure" scores 1 − P(none). Value = mean over seeds; [low, high] = 95% bootstrap interval over machines (resampling whole machines, ${bo.resamples} resamples); ± = sd over seeds; Δ = paired bootstrap difference to the full model (${config.model.fusion} fusion, all fields) on the same machines.`,
    '',
    '| model | macro PR-AUC [95% CI] | Δ PR-AUC vs full [95% CI] | macro AUROC [95% CI] | any-failure PR-AUC [95% CI] | balanced accuracy | epochs (mean / max) | s / fit | fits |',
    '|---|---|---|---|---|---:|---|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name}${r.id === reference?.id ? ' **(full)**' : ''} | ${ci(r.pr_auc)}${pm(r.pr_auc)} | ${diff(r)} | ${ci(r.auroc)}${pm(r.auroc)} | ${ci(r.any_pr_auc)} | ${f3(r.balanced_accuracy.value)} | ${r.epochsRun.mean.toFixed(1)} / ${r.epochsRun.max} | ${r.secondsPerFit.toFixed(0)} | ${r.fits} |`,
    ),
    '',
    `Per component (mean over seeds of the out-of-fold one-vs-rest scores; support = positive windows):`,
    '',
    `| model | ${COMPONENTS.map((c) => `${c} (${support[c]}) PR-AUC / AUROC`).join(' | ')} |`,
    `|---|${COMPONENTS.map(() => '---').join('|')}|`,
    ...results.map((r) => `| ${r.name} | ${COMPONENTS.map((c) => `${f3(r.perComponent[c].pr_auc)} / ${f3(r.perComponent[c].auroc)}`).join(' | ')} |`),
    '',
  ].join('\n');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'azure-pdm-results.json'), `${JSON.stringify({ ...meta, seeds, totalSeconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'azure-pdm-results.md'), md);
  return md;
}

const started = Date.now();
const selected = VARIANTS.filter((v) => wanted.includes(v.id));
const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(3));
if (!render) {
  // seeds outermost: after each seed every row has a result, so a stopped run still has a table
  for (let seed = 1; seed <= seeds; seed++) {
    const split = foldsOf(seed);
    for (const v of selected) {
      for (let f = 0; f < folds; f++) {
        const k = key(v.id, seed, f);
        if (cache.has(k)) continue;
        const t0 = Date.now();
        const cfg = { ...config, model: { ...config.model, fusion: v.fusion ?? config.model.fusion }, train: { ...config.train, seed } };
        const result = await fit(cfg, dataset, { split: { ...split[f], test: [] }, excludeFields: v.exclude });
        const testRecords = split[f].test.map((i) => labelled[i]);
        const scored = scoreModel(result.bundle.model, preprocessingOf(result.bundle), testRecords);
        result.bundle.model.dispose();
        const seconds = (Date.now() - t0) / 1000;
        const run = { key: k, variant: v.id, seed, fold: f, seconds, epochsRun: result.history.epochs.length, bestEpoch: result.history.bestEpoch, classes: scored.classes, test: split[f].test, outputs: scored.outputs.map((o) => o.map((p) => Number(p.toFixed(6)))) };
        appendFileSync(cacheFile, `${JSON.stringify(run)}\n`);
        cache.set(k, run);
        process.stderr.write(`azure-pdm: ${v.name}, seed ${seed}, fold ${f + 1}/${folds}: ${run.epochsRun} epochs, ${seconds.toFixed(0)} s\n`);
      }
    }
    // a partial table after each seed (the bootstrap of every row takes a while on a busy core)
    if (seed < seeds) writeTables(false);
  }
}
process.stdout.write(writeTables(true));
process.stderr.write(`azure-pdm: wrote ${path.join(outDir, 'azure-pdm-results.md')} and azure-pdm-results.json\n`);
