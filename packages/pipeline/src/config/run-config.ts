import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { MetaseriesError } from '@metaseries/core';
import type { AlignMethod, ContextKind, MetadataKind, Task } from '@metaseries/core';
import { runConfigSchema } from './run-config-schema.js';
import { zodProblems } from './config-problems.js';

/** Where the series come from. */
export interface SeriesSourceConfig {
  /** File holding the series, relative to the config file (made absolute by parsing). Required. */
  path: string;
  /** `long` (one row per id × time, a column per channel), `jsonl` (one record per line) or `ts` (sktime/aeon). Default: from the file extension (`.ts`, `.jsonl`, else `long`). */
  format?: 'long' | 'jsonl' | 'ts';
  /** Column holding the record id. Default: `'id'`. */
  id: string;
  /** Column holding the time stamp. Default: `'time'`. */
  time: string;
  /** Channel columns, in order. Default: every column but id, time and label. */
  channels?: string[];
  /** Label column inside the series file (instead of a `labels` table). Default: none. */
  label?: string;
}

/** One static metadata field: a kind, or a kind with its embedding width. */
export type MetadataFieldConfig = MetadataKind | { kind: MetadataKind; embedding?: number };

/** Static metadata per record. */
export interface MetadataSourceConfig {
  /** Table with one row per id, relative to the config file. Required. */
  path: string;
  /** Id column. Default: `'id'`. */
  id: string;
  /** Fields by name and kind. Default: `{}`. */
  fields: Record<string, MetadataFieldConfig>;
  /** Column naming the group (patient, machine) of each id, for group-aware splits. Default: none. */
  group?: string;
}

/** Time-varying context with its own time stamps. */
export interface ContextSourceConfig {
  /** Table of (id, time, fields…) rows, relative to the config file. Required. */
  path: string;
  /** Id column. Default: `'id'`. */
  id: string;
  /** Time column. Default: `'time'`. */
  time: string;
  /** Fields by name and kind. Default: `{}`. */
  fields: Record<string, ContextKind>;
  /** How every field is carried onto the series steps. Default: `'asof'`. */
  align: AlignMethod;
  /** Largest age of a usable context value, in milliseconds (`2h` is parsed) or series steps. Default: no limit. */
  tolerance?: number;
}

/** The label. */
export interface LabelSourceConfig {
  /** Table with one row per id, relative to the config file. Required. */
  path: string;
  /** Id column. Default: `'id'`. */
  id: string;
  /** Label column. Default: `'label'`. */
  label: string;
  /** Task. Default: `'binary'` when exactly two classes are seen, else `'multiclass'` (the data loader's rule). */
  task?: Task;
  /** Class names in output order. Default: sorted distinct values seen in the training split. */
  classes?: string[];
}

/** A seeded synthetic scenario from `@metaseries/data` instead of files. */
export interface ScenarioSourceConfig {
  /** Scenario name (see the data package's `generateScenario`). Required. */
  name: 'machine-type' | 'age-threshold' | 'operating-mode' | 'noise-field';
  /** Number of records. Default: `600`. */
  n: number;
  /** Generator seed. Default: `1`. */
  seed: number;
  /** Time steps per series. Default: `50`. */
  length: number;
  /** Standard deviation of the noise added to every value. Default: `0.5`. */
  noise: number;
  /** Number of groups records are spread over. Default: `60`. */
  groups: number;
}

/** `data.normalise`: how series values are normalised (fitted on the training split only). */
export interface NormaliseConfig {
  /** `zscore`, `minmax` or `robust`. Default: `'zscore'`. */
  method: 'zscore' | 'minmax' | 'robust';
  /** Statistics per `channel`, over all channels (`global`), per `group` of a metadata field, or per record (`instance`). Default: `'channel'`. */
  scope: 'channel' | 'global' | 'group' | 'instance';
  /** Metadata field naming the group, for the `group` scope. Default: none (required by that scope). */
  groupBy?: string;
}

/** Where records come from: files or a synthetic scenario. */
export interface DataSourcesConfig {
  series?: SeriesSourceConfig;
  metadata?: MetadataSourceConfig;
  context?: ContextSourceConfig;
  labels?: LabelSourceConfig;
  scenario?: ScenarioSourceConfig;
}

/** `data`: the only required section. */
export interface DataConfig extends DataSourcesConfig {
  /**
   * How files are read: `js` (streaming TypeScript, runs anywhere) or `duckdb` (long CSV / Parquet
   * read and context as-of joined by DuckDB; needs the optional `@duckdb/node-api`, else
   * `DATA_ENGINE_UNAVAILABLE`). Same dataset either way. Default: `'js'`.
   */
  engine: 'js' | 'duckdb';
  /** Series normalisation. Default: `{ method: 'zscore', scope: 'channel' }`. */
  normalise: NormaliseConfig;
  /** A separate test set of the same shape. Default: none (the test split is drawn from `data`). */
  test?: DataSourcesConfig;
}

/** `model`: the series encoder and fusion strategy (fusion's `ModelConfig`). */
export interface ModelSectionConfig {
  /** Series encoder. Default: `'lstm'`. */
  encoder: 'lstm' | 'gru' | 'fcn' | 'resnet' | 'inception' | 'transformer' | 'minirocket';
  /** How metadata joins the series. Default: `'early'`. */
  fusion: 'none' | 'early' | 'attention' | 'late' | 'film' | 'gated';
  /** Embedding width per categorical field. Default: `{}` (the encoders' rule from cardinality). */
  embedding: Record<string, number>;
  /** Width of the series encoder (LSTM/GRU units, transformer model width). Default: `64`. */
  units: number;
  /** Stacked encoder layers. Default: `1`. */
  layers: number;
  /** Attention heads (attention fusion, transformer). Default: `4`. */
  heads: number;
  /** Width of the dense layer before the output; `0` for none. Default: `64`. */
  headUnits: number;
  /** Dropout rate in [0, 1). Default: `0.1`. */
  dropout: number;
  /**
   * Momentum of batch-norm moving averages (fcn, resnet, inception), in (0, 1). Default: `0.9`
   * (tfjs/Keras use 0.99, too slow for the few steps small datasets give; see fusion's README).
   */
  batchNormMomentum: number;
  /**
   * Members of a deep ensemble: independently initialised copies of the network over the same
   * inputs, each trained on its own loss, predictions averaged (fusion's `ensemble`). N times the
   * training and prediction cost; the bundle stays one model. Default: `1`.
   */
  ensemble: number;
  /** Series length after padding/truncation; `null` for the longest training series. Default: `null`. */
  timeSteps: number | null;
  /**
   * Features of the `minirocket` encoder (rounded down to a multiple of 84; its kernels' biases
   * are fitted on the training split). Default: `10000` (the published setting).
   */
  features: number;
}

/** `split`: train / valid / test. */
export interface SplitConfig {
  /** `random`, `stratified` (by label), `group` or `stratified-group`. Default: `'stratified'`. */
  strategy: 'random' | 'stratified' | 'group' | 'stratified-group';
  /** Group column for group strategies (no group lands in two splits). Default: none; required by group strategies. */
  groupBy?: string;
  /**
   * Fraction of records for validation. `0` trains on every record of the training data with no
   * validation split: early stopping and reduce-on-plateau may then watch only the training loss
   * (`monitor: loss`), there is no calibration and `metrics.valid` is empty — the protocol of
   * published results on tiny sets, once settings were chosen with a validation share. Default: `0.15`.
   */
  valid: number;
  /** Fraction for test (ignored when `data.test` is given). Default: `0.15`. */
  test: number;
  /** Seed of the split. Default: `42`. */
  seed: number;
}

/**
 * Metric watched by early stopping and reduce-on-plateau: a validation metric (`val_*`), or
 * `loss`, the mean training loss of the epoch (what InceptionTime / dl-4-tsc watch when the
 * training set is too small to spare a useful validation split).
 */
export type MonitorMetric =
  | 'val_loss'
  | 'loss'
  | 'val_accuracy'
  | 'val_balanced_accuracy'
  | 'val_f1_macro'
  | 'val_auroc'
  | 'val_pr_auc'
  | 'val_rmse'
  | 'val_mae';

/** `train.earlyStopping`, or `false` to train every epoch. */
export interface EarlyStoppingConfig {
  /**
   * Metric to watch. With `loss` (the epoch's training loss) the run keeps the weights of the
   * lowest training loss. Default: `'val_loss'` (lower is better; accuracy-like metrics: higher).
   */
  monitor: MonitorMetric;
  /** Epochs without improvement before stopping. Default: `8`. */
  patience: number;
  /** Smallest change that counts as an improvement. Default: `0`. */
  minDelta: number;
  /** Put back the weights of the best epoch at the end. Default: `true`. */
  restoreBestWeights: boolean;
}

/** `train.lrSchedule`. */
export interface LrScheduleConfig {
  /** `none`, `reduce-on-plateau` or `cosine` (to 0 over `epochs`). Default: `'none'`. */
  type: 'none' | 'reduce-on-plateau' | 'cosine';
  /** Metric watched by reduce-on-plateau (`loss`: the epoch's training loss). Default: `'val_loss'`. */
  monitor: MonitorMetric;
  /** Multiplier on a plateau, in (0, 1). Default: `0.5`. */
  factor: number;
  /** Epochs without improvement before reducing. Default: `3`. */
  patience: number;
  /** Floor of the learning rate. Default: `1e-6`. */
  minLearningRate: number;
  /** Epochs of linear warm-up before the schedule (cosine). Default: `0`. */
  warmupEpochs: number;
}

/**
 * `train.augment`: training-time augmentation of the (normalised) series of each training batch,
 * drawn anew every epoch from `train.seed`; validation, test and prediction never see it. Every
 * transform is off by default; each one set applies to an augmented record (data's `augmentRecord`).
 */
export interface AugmentConfig {
  /** Standard deviation of Gaussian noise added to every observed value, in standard deviations of the training data. Default: `0` (off). */
  jitter: number;
  /** Standard deviation of a factor N(1, σ²) per record and channel that multiplies the channel. Default: `0` (off). */
  scale: number;
  /** Standard deviation of the knots of a smooth multiplicative curve per channel (magnitude warping). Default: `0` (off). */
  magnitudeWarp: number;
  /** Standard deviation of the knots of a smooth speed curve the series is resampled along (time warping). Default: `0` (off). */
  timeWarp: number;
  /** Interior knots of the warping curves. Default: `4`. */
  knots: number;
  /** Share of the series, in (0, 1], kept by a random crop stretched back to full length (window slicing). Default: `1` (off). */
  windowSlice: number;
  /** Share of the series, in [0, 1), in a random window played at half or double speed (window warping). Default: `0` (off). */
  windowWarp: number;
  /** Probability that a training record is augmented in a given epoch. Default: `1`. */
  probability: number;
}

/** `train`. */
export interface TrainConfig {
  /** Maximum epochs. Default: `50`. */
  epochs: number;
  /**
   * Early stopping never ends training before this many epochs (it still tracks the best epoch
   * from the first one); at most `epochs`. For small validation splits, whose noise can stop a
   * run long before it has learnt. Default: `0` (early stopping may stop at any epoch).
   */
  minEpochs: number;
  /** Records per batch. Default: `32`. */
  batchSize: number;
  /** Initial learning rate. Default: `0.001`. */
  learningRate: number;
  /** Optimizer. Default: `'adam'`. */
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  /**
   * How the model is fitted. `gradient`: epochs of `optimizer` steps. `ridge`: no gradient
   * steps; the output layer alone is fitted in closed form (ridge regression on ±1 class
   * targets, penalty chosen from `ridgeAlphas` by exact leave-one-out error), the rest keeping
   * its initial or adapted weights: the published way to train the `minirocket` encoder (with
   * `model.headUnits: 0`). Epochs, batches, the optimizer, early stopping and the schedule are then
   * not used; class weights are. The smaller of (training records, features) must be at most
   * 3,000. Default: `'gradient'`.
   */
  solver: 'gradient' | 'ridge';
  /** Penalties `solver: ridge` chooses from. Default: 10 values log-spaced from `1e-3` to `1e3`. */
  ridgeAlphas: number[];
  /** Early stopping. Default: `{ monitor: 'val_loss', patience: 8, minDelta: 0, restoreBestWeights: true }`. */
  earlyStopping: EarlyStoppingConfig | false;
  /** Learning-rate schedule. Default: `{ type: 'none' }`. */
  lrSchedule: LrScheduleConfig;
  /** `none`, `balanced` (inverse frequency on the train split) or a weight per class name. Default: `'none'`. */
  classWeights: 'none' | 'balanced' | Record<string, number>;
  /** Largest global gradient norm; `null` for no clipping. Default: `null`. */
  clipNorm: number | null;
  /**
   * Fit a softmax/sigmoid temperature on the validation split after training (Guo et al. 2017)
   * and store it in the bundle; binary and multiclass tasks only. Default: `true`.
   */
  calibrate: boolean;
  /**
   * After training, train a second model from the same initial weights on train + validation for
   * the best epoch count of the first run (its `bestEpoch`), replaying that run's learning rate
   * of each epoch, with no early stopping: the validation split chooses how long to train, then
   * adds its records (the protocol of the published UCR/UEA results, which train on all of
   * TRAIN). The bundle holds the refitted model; `metrics.valid` and the calibration temperature
   * stay those of the first model (the refitted one has seen the validation records), and
   * `metrics.refit` records the epochs and records of the refit. About doubles training time;
   * checkpoints cover the first run only (a resumed run repeats the refit). Default: `false`.
   */
  refit: boolean;
  /** Training-time augmentation of the series. Default: every transform off. */
  augment: AugmentConfig;
  /**
   * Threads computing each batch's gradients (data parallel, Node only): the batch is cut into
   * one shard per thread, worker threads hold model replicas, and the averaged gradient is the
   * batch's exact gradient. `'auto'`: up to 4 of the machine's cores, at least 16 rows per shard.
   * Results then depend on the thread count in the last float digits (summation order).
   * `1` trains on the main thread alone. Default: `'auto'`.
   */
  threads: number | 'auto';
  /** Write a checkpoint every N epochs; `0` for never. Default: `0`. */
  checkpointEvery: number;
  /** Folder for checkpoints (relative to the config file). Default: `null` (the `fit` option `checkpointDir`). */
  checkpointDir: string | null;
  /** Shuffle the train split every epoch. Default: `true`. */
  shuffle: boolean;
  /** Seed of weight initialisation, shuffling and dropout. Default: `42`. */
  seed: number;
  /** tfjs backend: `auto` (tensorflow > wasm > cpu), `cpu`, `wasm`, `tensorflow`. Default: `'auto'`. */
  backend: 'auto' | 'cpu' | 'wasm' | 'tensorflow';
}

/** A validated run config with every default filled in and every path absolute. */
export interface RunConfig {
  data: DataConfig;
  model: ModelSectionConfig;
  split: SplitConfig;
  train: TrainConfig;
}

/** What a user may write: every section but `data` optional, every key with a default optional. */
export type RunConfigInput = z.input<typeof runConfigSchema>;

// The hand-written RunConfig (with its documentation) must stay identical to the schema's output.
type SchemaOutput = z.output<typeof runConfigSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _runConfigMatchesSchema: Same<RunConfig, SchemaOutput> = true;
void _runConfigMatchesSchema;

/** Options of {@link parseRunConfig}. */
export interface ParseRunConfigOptions {
  /** File the config came from: named in errors, and its folder is the base of relative paths. Default: none. */
  file?: string;
  /** Base folder of relative paths. Default: the folder of `file`, else the current working directory. */
  baseDir?: string;
}

/** A config with only the required `data.series.path`, every other key at its default. */
export const defaultRunConfig: RunConfig = parseRunConfig({ data: { series: { path: 'series.csv' } } }, { baseDir: '.' });

/**
 * Parses and validates a run config given as JSON or YAML text, or as an object. Fills every
 * default, parses durations (`2h` → milliseconds) and makes data paths absolute (relative to
 * the config file's folder). Throws `CONFIG_PARSE` for text that is not JSON/YAML and
 * `CONFIG_INVALID` with `details.problems[]` (`{ path, message, value, expected }`, one per
 * problem, e.g. `train.earlyStopping.patience`) for a config that does not fit the schema.
 */
export function parseRunConfig(textOrObject: string | unknown, options: ParseRunConfigOptions = {}): RunConfig {
  const raw = typeof textOrObject === 'string' ? parseText(textOrObject, options.file) : textOrObject;
  const result = runConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const problems = zodProblems(result.error.issues);
    const first = problems[0]!;
    throw new MetaseriesError(
      'CONFIG_INVALID',
      `run config has ${problems.length} problem${problems.length > 1 ? 's' : ''}, first at ${first.path}: ${first.message}`,
      { file: options.file, field: first.path, value: first.value, expected: first.expected, problems },
    );
  }
  const baseDir = options.baseDir ?? (options.file ? path.dirname(path.resolve(options.file)) : process.cwd());
  return resolvePaths(result.data as RunConfig, baseDir);
}

/** Reads a run config file (`.json`, `.yaml`, `.yml`) and parses it with {@link parseRunConfig}. */
export async function loadRunConfig(file: string): Promise<RunConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new MetaseriesError('CONFIG_NOT_FOUND', `cannot read run config ${file}: ${(e as Error).message}`, { file }, { cause: e });
  }
  return parseRunConfig(text, { file });
}

function parseText(text: string, file: string | undefined): unknown {
  if (text.trim() === '') throw new MetaseriesError('CONFIG_PARSE', 'run config is empty', { file, expected: 'JSON or YAML with at least a data section' });
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const line = e instanceof YAMLParseError ? e.linePos?.[0]?.line : undefined;
    throw new MetaseriesError('CONFIG_PARSE', `run config is not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`, { file, line }, { cause: e });
  }
}

function resolvePaths(config: RunConfig, baseDir: string): RunConfig {
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(baseDir, p));
  const sources = <T extends DataSourcesConfig>(d: T): T => ({
    ...d,
    ...(d.series && { series: { ...d.series, path: abs(d.series.path)! } }),
    ...(d.metadata?.path !== undefined && { metadata: { ...d.metadata, path: abs(d.metadata.path) } }),
    ...(d.context?.path !== undefined && { context: { ...d.context, path: abs(d.context.path) } }),
    ...(d.labels?.path !== undefined && { labels: { ...d.labels, path: abs(d.labels.path) } }),
  });
  const data = sources(config.data);
  if (config.data.test) data.test = sources(config.data.test);
  const train = config.train.checkpointDir === null ? config.train : { ...config.train, checkpointDir: abs(config.train.checkpointDir)! };
  return { ...config, data, train };
}
