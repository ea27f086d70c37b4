#!/usr/bin/env node
// node tools/bench/accuracy/cv-train.mjs --config C [--folds 4] [--seed 1] [--jobs 2] [--label NAME] [--set key=value ...] [--out FILE]
//
// Chooses settings without the TEST file: K-fold cross-validation on TRAIN. Each fold is one
// `train-one.mjs --fold I --folds K` child process (the config's data.test is dropped there, so
// the TEST file is never read); fold I is held out and the run trains on the other folds exactly
// as the config trains on all of TRAIN. Prints, and appends to FILE (default
// sweeps/cv-<date>.jsonl), one JSON line: the pooled out-of-fold accuracy and log loss (every
// TRAIN record is predicted once, by a model that never saw it), each fold's figures and the wall
// time. `--jobs 2` runs two folds at a time (each with train.threads 1).
//
// On tiny sets (ArrowHead: 36 records, 6 of them in a 20 % validation split) one validation
// split separates nothing; the pooled out-of-fold predictions of all 36 records separate more.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArgs } from './bench-args.mjs';
import { runTrainOne } from './train-one-process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { opt, all } = readArgs('cv-train', { options: ['config', 'folds', 'seed', 'jobs', 'label', 'out'], repeatable: ['set'] });
const sets = all('set');
const config = opt('config');
if (!config) {
  process.stderr.write('cv-train: --config is required\n');
  process.exit(2);
}
const folds = Number(opt('folds', '4'));
const seed = Number(opt('seed', '1'));
const jobs = Math.max(1, Number(opt('jobs', '2')));
const label = opt('label', sets.join(' ') || 'config as is');
const out = opt('out', path.join(here, 'sweeps', `cv-${new Date().toISOString().slice(0, 10)}.jsonl`));
if (!(Number.isInteger(folds) && folds >= 2)) {
  process.stderr.write(`cv-train: --folds must be an integer >= 2, got ${opt('folds')}\n`);
  process.exit(2);
}

async function runFold(fold) {
  const args = ['--config', config, '--seed', String(seed), '--fold', String(fold), '--folds', String(folds), '--hide-test'];
  for (const s of sets) args.push('--set', s);
  if (jobs > 1) args.push('--set', 'train.threads=1');
  const { status, run } = await runTrainOne(args, { stderr: 'inherit' });
  if (!run) throw new Error(`fold ${fold} exited ${status}`);
  return run;
}

const started = performance.now();
const results = [];
const queue = Array.from({ length: folds }, (_, i) => i);
await Promise.all(
  Array.from({ length: Math.min(jobs, folds) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const r = await runFold(f);
      process.stderr.write(`cv-train: fold ${f + 1}/${folds}: held-out accuracy ${r.heldOut.accuracy.toFixed(3)} (${r.heldOut.n}), ${r.trainSeconds.toFixed(0)} s\n`);
      results[f] = r;
    }
  }),
);
const n = results.reduce((a, r) => a + r.heldOut.n, 0);
const pooled = (k) => results.reduce((a, r) => a + r.heldOut[k] * r.heldOut.n, 0) / n;
const line = {
  date: new Date().toISOString(),
  config,
  label,
  sets,
  seed,
  folds,
  n,
  accuracy: pooled('accuracy'),
  logLoss: pooled('loss'),
  perFold: results.map((r) => ({ fold: r.fold, n: r.heldOut.n, accuracy: r.heldOut.accuracy, loss: r.heldOut.loss, epochsRun: r.epochsRun, bestEpoch: r.bestEpoch, trainSeconds: r.trainSeconds })),
  wallSeconds: (performance.now() - started) / 1000,
};
mkdirSync(path.dirname(out), { recursive: true });
appendFileSync(out, JSON.stringify(line) + '\n');
process.stdout.write(JSON.stringify({ label, config, accuracy: line.accuracy, logLoss: line.logLoss, n, wallSeconds: line.wallSeconds }) + '\n');
