import { MetaseriesError } from '@metaseries/core';

/** Series encoders `buildModel` knows. */
export type EncoderName = 'lstm' | 'gru' | 'fcn' | 'resnet' | 'inception' | 'transformer' | 'minirocket';
/** Fusion strategies `buildModel` knows. */
export type FusionName = 'none' | 'early' | 'attention' | 'late' | 'film' | 'gated';

/** Every encoder name, in documentation order. */
export const ENCODERS: readonly EncoderName[] = ['lstm', 'gru', 'fcn', 'resnet', 'inception', 'transformer', 'minirocket'];
/** Every fusion strategy, in documentation order. */
export const FUSIONS: readonly FusionName[] = ['none', 'early', 'attention', 'late', 'film', 'gated'];

/** Settings of the `lstm` and `gru` encoders. */
export interface RecurrentConfig {
  /** Units of each stacked recurrent layer, first to last. Default: `[64]`. */
  units: number[];
  /** Whether each layer reads the series both ways (outputs twice the units). Default: `false`. */
  bidirectional: boolean;
}

/** Settings of a stack of convolution blocks (`fcn`, `resnet`). */
export interface ConvolutionConfig {
  /** Filters of each block. Default: FCN `[128, 256, 128]`; ResNet `[64, 128, 128]` (Wang et al. 2017). */
  filters: number[];
  /** Kernel sizes, in steps: FCN one per block `[8, 5, 3]`; ResNet the three convolutions inside every block `[8, 5, 3]`. */
  kernelSizes: number[];
}

/** Settings of the `inception` encoder (InceptionTime, Ismail Fawaz et al. 2020). */
export interface InceptionConfig {
  /** Number of inception modules. Default: `6`. */
  depth: number;
  /** Filters of each parallel convolution (a module outputs 4× this). Default: `32`. */
  filters: number;
  /** Filters of the 1×1 bottleneck before the wide convolutions (0 = none). Default: `32`. */
  bottleneck: number;
  /**
   * Kernel sizes, in steps, of the parallel convolutions. Each is cut to the series length when
   * `timeSteps` is known, so short series still work. Default: `[40, 20, 10]`.
   */
  kernelSizes: number[];
  /** A residual shortcut every this many modules (0 = none). Default: `3`. */
  residualEvery: number;
}

/** Settings of the `transformer` encoder. */
export interface TransformerConfig {
  /** Width of every step's representation. Default: `64`. */
  dModel: number;
  /** Attention heads (must divide `dModel`). Default: `2`. */
  heads: number;
  /** Encoder layers. Default: `2`. */
  layers: number;
  /** Hidden width of each layer's feed-forward part. Default: `128`. */
  feedForward: number;
}

/**
 * Settings of the `minirocket` encoder (MiniRocket, Dempster et al. 2021): fixed convolution
 * kernels whose biases are fitted on the training split (`adaptModel`), pooled into one vector
 * per record. Pair it with a linear head (`headUnits: 0`, `dropout: 0`) and `train.solver:
 * ridge`, as published; it gives no per-step features, so fusion `early` and `attention` are refused.
 */
export interface MiniRocketConfig {
  /** Features asked for (rounded down to a multiple of 84). Default: `10000`. */
  numFeatures: number;
  /** Most dilations per kernel. Default: `32`. */
  maxDilationsPerKernel: number;
}

/** Settings of the `attention` fusion. */
export interface AttentionConfig {
  /** Attention heads (each has its own query from the metadata). Default: `1`. */
  heads: number;
  /** Width of each head's query, keys and values. Default: `32`. */
  keyDim: number;
}

/**
 * A model, as JSON: which series encoder, which fusion strategy, and their sizes. Every key has a
 * default (`defaultModelConfig`); `resolveModelConfig` fills them in and validates.
 */
export interface ModelConfig {
  /** Series encoder. Default: `'gru'`. */
  encoder: EncoderName;
  /** How the static metadata meets the series. Default: `'attention'`. */
  fusion: FusionName;
  /**
   * How step features become one vector (every fusion but `attention`): `mean` over the real
   * steps, the `last` real step, or `auto` = `last` for a one-way `lstm`/`gru`, `mean` otherwise.
   * Default: `'auto'`.
   */
  pooling: 'auto' | 'mean' | 'last';
  /** `lstm` and `gru` settings. */
  recurrent: RecurrentConfig;
  /** `fcn` settings. */
  fcn: ConvolutionConfig;
  /** `resnet` settings. */
  resnet: ConvolutionConfig;
  /** `inception` settings. */
  inception: InceptionConfig;
  /** `transformer` settings. */
  transformer: TransformerConfig;
  /** `minirocket` settings. */
  minirocket: MiniRocketConfig;
  /** `attention` fusion settings. */
  attention: AttentionConfig;
  /** Hidden layer widths of the metadata MLP of `late` fusion. Default: `[32]`. */
  metadataUnits: number[];
  /** Width of the head's hidden ReLU layer (0 = a linear head). Default: `64`. */
  headUnits: number;
  /** Dropout rate before the head's layers, in [0, 1). Default: `0.1`. */
  dropout: number;
  /**
   * Momentum of the batch-normalisation moving averages (fcn, resnet, inception), in (0, 1).
   * Default: `0.9` (PyTorch's 0.1 in its convention). tfjs/Keras use 0.99, which assumes
   * thousands of steps: with 40 records in batches of 8 the moving variance was still half its
   * initial value after 12 epochs, and inference (which uses it) failed where training worked.
   */
  batchNormMomentum: number;
  /**
   * Members of a deep ensemble (Lakshminarayanan et al. 2017; InceptionTime's published figures
   * are ensembles of five): independently initialised copies of the whole network over the same
   * inputs, each trained on its own loss, whose predictions are averaged. Costs N times the
   * training and inference of one model. Default: `1` (a single model).
   */
  ensemble: number;
  /**
   * Metadata and context fields left out of the model (ablation): their inputs are not model
   * inputs. Default: `[]`.
   */
  excludeFields: string[];
}

/** A `ModelConfig` where every key may be left out (nested objects too). */
export type ModelConfigInput = {
  [K in keyof ModelConfig]?: ModelConfig[K] extends unknown[] ? ModelConfig[K] : ModelConfig[K] extends object ? Partial<ModelConfig[K]> : ModelConfig[K];
};

/** The defaults of every `ModelConfig` key (paper defaults for each encoder). */
export const defaultModelConfig: ModelConfig = {
  encoder: 'gru',
  fusion: 'attention',
  pooling: 'auto',
  recurrent: { units: [64], bidirectional: false },
  fcn: { filters: [128, 256, 128], kernelSizes: [8, 5, 3] },
  resnet: { filters: [64, 128, 128], kernelSizes: [8, 5, 3] },
  inception: { depth: 6, filters: 32, bottleneck: 32, kernelSizes: [40, 20, 10], residualEvery: 3 },
  transformer: { dModel: 64, heads: 2, layers: 2, feedForward: 128 },
  minirocket: { numFeatures: 10_000, maxDilationsPerKernel: 32 },
  attention: { heads: 1, keyDim: 32 },
  metadataUnits: [32],
  headUnits: 64,
  dropout: 0.1,
  batchNormMomentum: 0.9,
  ensemble: 1,
  excludeFields: [],
};

function invalid(field: string, message: string, value: unknown, expected: string): never {
  throw new MetaseriesError('FUSION_INVALID_CONFIG', `model config: ${field} ${message}`, { field, value, expected });
}

function positiveInt(field: string, value: unknown, allowZero = false): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    invalid(field, `must be ${allowZero ? 'a non-negative' : 'a positive'} integer`, value, allowZero ? 'integer >= 0' : 'integer >= 1');
  }
}

function positiveInts(field: string, value: unknown, minLength = 1): void {
  if (!Array.isArray(value) || value.length < minLength) invalid(field, `must be a list of at least ${minLength} positive integers`, value, 'integer[]');
  (value as unknown[]).forEach((v, i) => positiveInt(`${field}[${i}]`, v));
}

function checkKeys(field: string, value: unknown, allowed: object): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(field, 'must be an object', value, 'object');
  for (const key of Object.keys(value as object)) {
    if (!(key in allowed)) invalid(field ? `${field}.${key}` : key, 'is not a model setting', key, Object.keys(allowed).join(' | '));
  }
}

/**
 * Fills in the defaults of a partial model config and validates every key. Throws
 * `FUSION_INVALID_CONFIG` naming the key (`field`, e.g. `fcn.filters[1]`).
 */
export function resolveModelConfig(input: ModelConfigInput = {}): ModelConfig {
  checkKeys('', input, defaultModelConfig);
  const d = defaultModelConfig;
  const nested = <K extends keyof ModelConfig>(key: K): ModelConfig[K] => {
    const given = input[key];
    if (given === undefined) return structuredClone(d[key]);
    checkKeys(key, given, d[key] as object);
    return { ...structuredClone(d[key] as object), ...(given as object) } as ModelConfig[K];
  };
  const c: ModelConfig = {
    encoder: input.encoder ?? d.encoder,
    fusion: input.fusion ?? d.fusion,
    pooling: input.pooling ?? d.pooling,
    recurrent: nested('recurrent'),
    fcn: nested('fcn'),
    resnet: nested('resnet'),
    inception: nested('inception'),
    transformer: nested('transformer'),
    minirocket: nested('minirocket'),
    attention: nested('attention'),
    metadataUnits: input.metadataUnits ?? [...d.metadataUnits],
    headUnits: input.headUnits ?? d.headUnits,
    dropout: input.dropout ?? d.dropout,
    batchNormMomentum: input.batchNormMomentum ?? d.batchNormMomentum,
    ensemble: input.ensemble ?? d.ensemble,
    excludeFields: input.excludeFields ?? [],
  };
  if (!ENCODERS.includes(c.encoder)) invalid('encoder', 'is not a known encoder', c.encoder, ENCODERS.join(' | '));
  if (!FUSIONS.includes(c.fusion)) invalid('fusion', 'is not a known fusion strategy', c.fusion, FUSIONS.join(' | '));
  if (!['auto', 'mean', 'last'].includes(c.pooling)) invalid('pooling', 'is not a pooling mode', c.pooling, 'auto | mean | last');
  positiveInts('recurrent.units', c.recurrent.units);
  if (typeof c.recurrent.bidirectional !== 'boolean') invalid('recurrent.bidirectional', 'must be true or false', c.recurrent.bidirectional, 'boolean');
  for (const key of ['fcn', 'resnet'] as const) {
    positiveInts(`${key}.filters`, c[key].filters);
    positiveInts(`${key}.kernelSizes`, c[key].kernelSizes);
  }
  if (c.fcn.kernelSizes.length !== c.fcn.filters.length) {
    invalid('fcn.kernelSizes', 'must have one kernel size per block (as many as fcn.filters)', c.fcn.kernelSizes, `${c.fcn.filters.length} sizes`);
  }
  positiveInt('inception.depth', c.inception.depth);
  positiveInt('inception.filters', c.inception.filters);
  positiveInt('inception.bottleneck', c.inception.bottleneck, true);
  positiveInts('inception.kernelSizes', c.inception.kernelSizes);
  positiveInt('inception.residualEvery', c.inception.residualEvery, true);
  for (const key of ['dModel', 'heads', 'layers', 'feedForward'] as const) positiveInt(`transformer.${key}`, c.transformer[key]);
  if (c.transformer.dModel % c.transformer.heads !== 0) {
    invalid('transformer.heads', 'must divide transformer.dModel', c.transformer.heads, `a divisor of ${c.transformer.dModel}`);
  }
  positiveInt('minirocket.numFeatures', c.minirocket.numFeatures);
  if (c.minirocket.numFeatures < 84) invalid('minirocket.numFeatures', 'must be at least 84 (one feature per kernel)', c.minirocket.numFeatures, 'integer >= 84');
  positiveInt('minirocket.maxDilationsPerKernel', c.minirocket.maxDilationsPerKernel);
  if (c.encoder === 'minirocket' && (c.fusion === 'early' || c.fusion === 'attention')) {
    invalid('fusion', `'${c.fusion}' needs per-step features, and the minirocket encoder gives one pooled vector per record`, c.fusion, 'none | late | film | gated');
  }
  positiveInt('attention.heads', c.attention.heads);
  positiveInt('attention.keyDim', c.attention.keyDim);
  positiveInts('metadataUnits', c.metadataUnits, 0);
  positiveInt('headUnits', c.headUnits, true);
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) invalid('dropout', 'must be in [0, 1)', c.dropout, '0 <= dropout < 1');
  if (typeof c.batchNormMomentum !== 'number' || !(c.batchNormMomentum > 0 && c.batchNormMomentum < 1)) {
    invalid('batchNormMomentum', 'must be in (0, 1)', c.batchNormMomentum, '0 < batchNormMomentum < 1');
  }
  positiveInt('ensemble', c.ensemble);
  if (c.ensemble > 32) invalid('ensemble', 'must be at most 32 members', c.ensemble, '1 <= ensemble <= 32');
  if (!Array.isArray(c.excludeFields) || c.excludeFields.some((f) => typeof f !== 'string')) {
    invalid('excludeFields', 'must be a list of field names', c.excludeFields, 'string[]');
  }
  return c;
}
