#!/usr/bin/env node
// node tools/bench/accuracy/train-one.mjs --config C --seed S [--epochs N] [--set key=value ...] [--hide-test] [--verbose] [--bn-momentum M] [--fold I --folds K]
// Trains ONE run config through @metaseries/pipeline's fit (one process per run, so memory and
// the backend start clean) and prints one JSON line on stdout: validation and test metrics, the
// epochs run, the best epoch and the train wall time. The config's own seeds are replaced by S
// (train.seed and split.seed), so seed S draws its own validation split from TRAIN and its own
// initial weights; the test set is the config's data.test (the official TEST file).
//
// --fold I --folds K (cross-validation on TRAIN, for choosing settings; see cv-train.mjs): the
// config's data.test is dropped (the TEST file is never read), TRAIN is cut into K stratified
// folds (seeded by S), fold I is held out, and the run trains on the rest exactly as the config
// trains on all of TRAIN (its own validation share drawn from them). The held-out fold's metrics
// are printed as `heldOut`.
import { splitDataset, stratifiedKFold } from '@metaseries/data';
import { loadRunConfig, fit, loadRunData, parseRunConfig, splitRunData } from '@metaseries/pipeline';
import { readArgs } from './bench-args.mjs';

const { opt, flag, all } = readArgs('train-one', {
  options: ['config', 'seed', 'epochs', 'bn-momentum', 'fold', 'folds'],
  switches: ['hide-test', 'verbose'],
  repeatable: ['set'],
});
const sets = all('set');
const configPath = opt('config');
if (!configPath) {
  process.stderr.write('train-one: --config is required\n');
  process.exit(2);
}
const seed = Number(opt('seed', '1'));
const loaded = await loadRunConfig(configPath);
loaded.train.seed = seed;
loaded.split.seed = seed;
const epochs = opt('epochs');
if (epochs) loaded.train.epochs = Number(epochs);
// --set model.encoder=resnet: a dotted key of the parsed config and a JSON (or plain string) value
for (const s of sets) {
  const eq = s.indexOf('=');
  const keys = s.slice(0, eq).split('.');
  let value;
  try {
    value = JSON.parse(s.slice(eq + 1));
  } catch {
    value = s.slice(eq + 1);
  }
  let node = loaded;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k];
  }
  node[keys.at(-1)] = value;
}
// The edited config goes through the schema again, as if it were the file (a parsed config parses
// to itself; a relative path given with --set resolves against the config's folder, as in the
// file), so a mistyped key or a bad value in --set exits 2 naming it instead of being ignored.
let config;
try {
  config = parseRunConfig(JSON.parse(JSON.stringify(loaded)), { file: configPath });
} catch (e) {
  process.stderr.write(`train-one: with ${sets.map((x) => `--set ${x}`).join(' ') || 'no --set'}: ${e.format?.() ?? e.message}\n`);
  process.exit(2);
}
const folds = Number(opt('folds', '0'));
const fold = Number(opt('fold', '0'));
if (folds) delete config.data.test;
else if (!config.data.test) {
  process.stderr.write(`train-one: ${configPath} has no data.test (the official test file)\n`);
  process.exit(2);
}

/** Fold `fold` of `folds` held out as the test split; the validation share drawn from the other folds. */
async function crossValidationSplit() {
  const { dataset } = await loadRunData(config);
  const { labelled } = await splitRunData(config, dataset, { train: [], valid: [], test: [] });
  const { train: rest, test: heldOut } = stratifiedKFold(labelled, { k: folds, seed })[fold];
  const inner = splitDataset(rest.map((i) => labelled[i]), { strategy: 'stratified', valid: config.split.valid, test: 0, seed });
  return { dataset, split: { train: inner.train.map((j) => rest[j]), valid: inner.valid.map((j) => rest[j]), test: heldOut } };
}
const cv = folds ? await crossValidationSplit() : null;

// --bn-momentum M (experiment on a fusion default, never used by run.mjs): batch normalisation
// layers built by @metaseries/fusion get momentum M instead of tfjs's 0.99.
const bnMomentum = opt('bn-momentum');
if (bnMomentum) {
  const tfl = await import('@tensorflow/tfjs-layers');
  const original = tfl.layers.batchNormalization;
  tfl.layers.batchNormalization = (args = {}) =>
    original({ momentum: Number(bnMomentum), ...args });
}

const started = performance.now();
const verbose = flag('verbose');
const { metrics, history, refitHistory, ridge } = await fit(config, cv?.dataset, {
  ...(cv && { split: cv.split }),
  onProgress: (e) => {
    if (verbose && e.type === 'epoch') {
      const m = e.metrics;
      process.stderr.write(
        `epoch ${e.epoch}/${e.epochs} ${Object.entries(m)
          .filter(([k]) => /loss|accuracy$/.test(k))
          .map(([k, v]) => `${k}=${Number(v).toFixed(4)}`)
          .join(' ')}\n`,
      );
    }
  },
});
const trainSeconds = (performance.now() - started) / 1000;
// --hide-test: for choosing settings on validation only, the test metrics are not printed
const hideTest = flag('hide-test');
process.stdout.write(
  JSON.stringify({
    config: configPath,
    seed,
    epochs: config.train.epochs,
    epochsRun: history.epochs.length,
    bestEpoch: history.bestEpoch,
    stoppedEarly: history.stoppedEarly,
    // train.refit: epochs of the second model, trained on train + valid (the one scored on test)
    refitEpochs: refitHistory ? refitHistory.epochs.length : null,
    // train.solver ridge: no epochs; the penalty leave-one-out chose for each output layer
    ridgeAlphas: ridge ? ridge.alphas : null,
    trainSeconds,
    // validation metrics of the best epoch, before temperature calibration
    bestValid: history.epochs.find((e) => e.epoch === history.bestEpoch) ?? null,
    valid: metrics.valid,
    ...(!hideTest && !cv && { test: metrics.test }),
    ...(cv && { fold, folds, heldOut: { n: cv.split.test.length, ...metrics.test } }),
    // the validation curve, for choosing epochs and patience on validation
    curve: history.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, val_loss: e.val_loss, val_accuracy: e.val_accuracy, lr: e.lr })),
  }) + '\n',
);
