import { DEFAULT_RIDGE_ALPHAS } from '../train/ridge-regression.js';
import { z } from 'zod';
import { parseDuration } from './duration.js';

/*
 * The one schema of the run config (DESIGN.md "The run config"). Every key has a default, so a
 * config with only `data` trains a sensible model. Objects are strict: an unknown key is an
 * error naming its path. Defaults are documented on the TypeScript types in `run-config.ts`.
 */

const name = z.string().min(1, 'must be a non-empty name');
const positiveInt = z.number().int().min(1);
const fraction = z.number().min(0).lt(1);
const duration = z.union([z.number().min(0), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'not a duration', input: v, params: { expected: 'a number >= 0 or a duration like 250ms, 30s, 5m, 2h, 1d' } });
    return z.NEVER;
  }
  return ms;
});

export const METADATA_KIND_VALUES = ['categorical', 'numeric', 'multiCategorical', 'text', 'boolean'] as const;
export const CONTEXT_KIND_VALUES = ['categorical', 'numeric', 'boolean'] as const;
export const ALIGN_VALUES = ['asof', 'ffill', 'linear', 'nearest'] as const;
export const TASK_VALUES = ['binary', 'multiclass', 'multilabel', 'regression'] as const;
export const SERIES_FORMAT_VALUES = ['long', 'jsonl', 'ts'] as const;
export const SCENARIO_VALUES = ['machine-type', 'age-threshold', 'operating-mode', 'noise-field'] as const;
export const NORMALISE_METHOD_VALUES = ['zscore', 'minmax', 'robust'] as const;
export const NORMALISE_SCOPE_VALUES = ['channel', 'global', 'group', 'instance'] as const;
export const ENCODER_VALUES = ['lstm', 'gru', 'fcn', 'resnet', 'inception', 'transformer', 'minirocket'] as const;
export const FUSION_VALUES = ['none', 'early', 'attention', 'late', 'film', 'gated'] as const;
export const SPLIT_STRATEGY_VALUES = ['random', 'stratified', 'group', 'stratified-group'] as const;
export const MONITOR_VALUES = [
  'val_loss',
  'loss',
  'val_accuracy',
  'val_balanced_accuracy',
  'val_f1_macro',
  'val_auroc',
  'val_pr_auc',
  'val_rmse',
  'val_mae',
] as const;
export const LR_SCHEDULE_VALUES = ['none', 'reduce-on-plateau', 'cosine'] as const;
export const OPTIMIZER_VALUES = ['adam', 'sgd', 'rmsprop'] as const;

const metadataField = z.union([
  z.enum(METADATA_KIND_VALUES),
  z.strictObject({
    kind: z.enum(METADATA_KIND_VALUES),
    embedding: positiveInt.optional(),
  }),
]);

const seriesSource = z.strictObject({
  path: z.string().min(1),
  format: z.enum(SERIES_FORMAT_VALUES).optional(),
  id: name.default('id'),
  time: name.default('time'),
  channels: z.array(name).min(1).optional(),
  label: name.optional(),
});

const metadataSource = z.strictObject({
  path: z.string().min(1),
  id: name.default('id'),
  fields: z.record(z.string().min(1), metadataField).default({}),
  group: name.optional(),
});

const contextSource = z.strictObject({
  path: z.string().min(1),
  id: name.default('id'),
  time: name.default('time'),
  fields: z.record(z.string().min(1), z.enum(CONTEXT_KIND_VALUES)).default({}),
  align: z.enum(ALIGN_VALUES).default('asof'),
  tolerance: duration.optional(),
});

const labelSource = z.strictObject({
  path: z.string().min(1),
  id: name.default('id'),
  label: name.default('label'),
  task: z.enum(TASK_VALUES).optional(),
  classes: z.array(z.string()).min(1).optional(),
});

const scenarioSource = z.strictObject({
  name: z.enum(SCENARIO_VALUES),
  n: positiveInt.default(600),
  seed: z.number().int().default(1),
  length: positiveInt.default(50),
  noise: z.number().min(0).default(0.5),
  groups: positiveInt.default(60),
});

const normalise = z.strictObject({
  method: z.enum(NORMALISE_METHOD_VALUES).default('zscore'),
  scope: z.enum(NORMALISE_SCOPE_VALUES).default('channel'),
  groupBy: name.optional(),
});

const dataSources = {
  series: seriesSource.optional(),
  metadata: metadataSource.optional(),
  context: contextSource.optional(),
  labels: labelSource.optional(),
  scenario: scenarioSource.optional(),
};

const testData = z.strictObject(dataSources);

const data = z
  .strictObject({ ...dataSources, engine: z.enum(['js', 'duckdb']).default('js'), normalise: normalise.prefault({}), test: testData.optional() })
  .superRefine((d, ctx) => {
    if (!d.series && !d.scenario) {
      ctx.addIssue({ code: 'custom', path: ['series'], message: 'data needs series (files) or scenario (synthetic)', input: undefined, params: { expected: '{ path, format, id, time, channels }' } });
    }
    if (d.normalise.scope === 'group' && !d.normalise.groupBy) {
      ctx.addIssue({ code: 'custom', path: ['normalise', 'groupBy'], message: 'the group scope needs groupBy (a metadata field)', input: undefined, params: { expected: 'a metadata field name' } });
    }
    if (d.series && d.scenario) {
      ctx.addIssue({ code: 'custom', path: ['scenario'], message: 'give either series files or a scenario, not both', input: d.scenario.name, params: { expected: 'no scenario when series is given' } });
    }
  });

const model = z.strictObject({
  encoder: z.enum(ENCODER_VALUES).default('lstm'),
  fusion: z.enum(FUSION_VALUES).default('early'),
  embedding: z.record(z.string().min(1), positiveInt).default({}),
  units: positiveInt.default(64),
  layers: positiveInt.default(1),
  heads: positiveInt.default(4),
  headUnits: z.number().int().min(0).default(64),
  dropout: fraction.default(0.1),
  batchNormMomentum: z.number().gt(0).lt(1).default(0.9),
  ensemble: z.number().int().min(1).max(32).default(1),
  timeSteps: positiveInt.nullable().default(null),
  features: z.number().int().min(84).default(10_000),
})
  .superRefine((m, ctx) => {
    // caught here, with the file and key, rather than once the data is loaded (fusion's buildModel checks it too)
    if (m.encoder === 'minirocket' && (m.fusion === 'early' || m.fusion === 'attention')) {
      ctx.addIssue({ code: 'custom', path: ['fusion'], message: `fusion ${m.fusion} needs per-step features, and the minirocket encoder gives one pooled vector per record`, input: m.fusion, params: { expected: 'none | late | film | gated' } });
    }
  });

const split = z
  .strictObject({
    strategy: z.enum(SPLIT_STRATEGY_VALUES).default('stratified'),
    groupBy: name.optional(),
    valid: fraction.default(0.15),
    test: fraction.default(0.15),
    seed: z.number().int().default(42),
  })
  .superRefine((s, ctx) => {
    if ((s.strategy === 'group' || s.strategy === 'stratified-group') && !s.groupBy) {
      ctx.addIssue({ code: 'custom', path: ['groupBy'], message: `strategy ${s.strategy} needs groupBy`, input: undefined, params: { expected: 'a column name' } });
    }
    if (s.valid + s.test >= 1) {
      ctx.addIssue({ code: 'custom', path: ['test'], message: 'valid + test must leave records to train on', input: s.test, params: { expected: `< ${(1 - s.valid).toFixed(3)}` } });
    }
  });

const earlyStopping = z.union([
  z.literal(false),
  z.strictObject({
    monitor: z.enum(MONITOR_VALUES).default('val_loss'),
    patience: positiveInt.default(8),
    minDelta: z.number().min(0).default(0),
    restoreBestWeights: z.boolean().default(true),
  }),
]);

const lrSchedule = z.strictObject({
  type: z.enum(LR_SCHEDULE_VALUES).default('none'),
  monitor: z.enum(MONITOR_VALUES).default('val_loss'),
  factor: z.number().gt(0).lt(1).default(0.5),
  patience: positiveInt.default(3),
  minLearningRate: z.number().min(0).default(1e-6),
  warmupEpochs: z.number().int().min(0).default(0),
});

const nonNegative = z.number().min(0);
const augment = z.strictObject({
  jitter: nonNegative.default(0),
  scale: nonNegative.default(0),
  magnitudeWarp: nonNegative.default(0),
  timeWarp: nonNegative.default(0),
  knots: positiveInt.default(4),
  windowSlice: z.number().gt(0).max(1).default(1),
  windowWarp: fraction.default(0),
  probability: z.number().min(0).max(1).default(1),
});

const train = z
  .strictObject({
  epochs: positiveInt.default(50),
  minEpochs: z.number().int().min(0).default(0),
  batchSize: positiveInt.default(32),
  learningRate: z.number().gt(0).default(0.001),
  optimizer: z.enum(OPTIMIZER_VALUES).default('adam'),
  solver: z.enum(['gradient', 'ridge']).default('gradient'),
  ridgeAlphas: z.array(z.number().gt(0)).min(1).default(() => [...DEFAULT_RIDGE_ALPHAS]),
  earlyStopping: earlyStopping.prefault({}),
  lrSchedule: lrSchedule.prefault({}),
  classWeights: z.union([z.enum(['none', 'balanced']), z.record(z.string(), z.number().min(0))]).default('none'),
  clipNorm: z.number().gt(0).nullable().default(null),
  calibrate: z.boolean().default(true),
  refit: z.boolean().default(false),
  augment: augment.prefault({}),
  checkpointEvery: z.number().int().min(0).default(0),
  checkpointDir: z.string().min(1).nullable().default(null),
  shuffle: z.boolean().default(true),
  seed: z.number().int().default(42),
  backend: z.enum(['auto', 'cpu', 'wasm', 'tensorflow']).default('auto'),
  threads: z.union([z.literal('auto'), positiveInt]).default('auto'),
  })
  .superRefine((t, ctx) => {
    if (t.minEpochs > t.epochs) {
      ctx.addIssue({ code: 'custom', path: ['minEpochs'], message: 'minEpochs is more than epochs', input: t.minEpochs, params: { expected: `<= epochs (${t.epochs})` } });
    }
  });

/** The zod schema of the whole run config. */
export const runConfigSchema = z.strictObject({
  data,
  model: model.prefault({}),
  split: split.prefault({}),
  train: train.prefault({}),
});
