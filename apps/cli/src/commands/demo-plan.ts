import { fileURLToPath } from 'node:url';
import type { RunConfigInput } from '@metaseries/pipeline';

/** The fusion strategies the demo compares, series-only (`none`) first. */
export const DEMO_FUSIONS = ['none', 'early', 'attention', 'late', 'film', 'gated'] as const;
/**
 * The scenarios the demo runs by default: the three where metadata carries the signal (a
 * categorical field, a numeric field, time-varying context). `noise-field` (metadata worth
 * nothing) is there for `compare --ablate`; add it with `--scenarios`.
 */
export const DEMO_SCENARIOS: readonly string[] = ['machine-type', 'age-threshold', 'operating-mode'];

/** One fusion strategy. */
export type DemoFusion = (typeof DEMO_FUSIONS)[number];

/** One dataset of the demo and the run config that trains on it (without `model.fusion`). */
export interface DemoDataset {
  /** Name in the table. */
  name: string;
  /** What it shows, for the report. */
  description: string;
  /** The run config input; the demo sets `model.fusion` per strategy. */
  config: RunConfigInput;
  /** Bayes-optimal accuracy without / with metadata, where known (synthetic scenarios). */
  bayes?: { seriesOnly: number; withMetadata: number };
  /** True when the dataset has no metadata, so every fusion strategy sees the series alone. */
  noMetadata?: boolean;
  /**
   * True when its only side information is time-varying context, which fusion joins to the
   * series at every step whatever the strategy: the demo then compares series only with series
   * + context (the metadata ablation) instead of the strategies.
   */
  contextOnly?: boolean;
}

/** Options of {@link demoDatasets}. */
export interface DemoPlanOptions {
  /** Records per synthetic scenario. Default: `400`. */
  n?: number;
  /** Epochs per model. Default: `12`. */
  epochs?: number;
  /** Seed of data, split and weights. Default: `7`. */
  seed?: number;
  /** Records per batch. Default: `16`. */
  batchSize?: number;
  /** Adam learning rate. Default: `0.01`. */
  learningRate?: number;
  /** Include the committed real dataset (ItalyPowerDemand). Default: `true`. */
  real?: boolean;
  /** Series encoder of every model. Default: `'lstm'`. */
  encoder?: DemoEncoder;
  /** Synthetic scenarios to run. Default: {@link DEMO_SCENARIOS}. */
  scenarios?: string[];
}

/** Defaults of {@link DemoPlanOptions}, chosen so the whole demo runs in under 5 minutes on 2 cores. */
export const defaultDemoPlanOptions: Required<Omit<DemoPlanOptions, 'scenarios'>> = { n: 300, epochs: 10, seed: 7, real: true, encoder: 'lstm', batchSize: 16, learningRate: 0.01 };

/** A series encoder of fusion's model builder. */
export type DemoEncoder = 'lstm' | 'gru' | 'fcn' | 'resnet' | 'inception' | 'transformer';

/** Folder of the real dataset committed with the CLI (`apps/cli/demo-data/ItalyPowerDemand`). */
export const demoDataDir = fileURLToPath(new URL('../../demo-data/ItalyPowerDemand/', import.meta.url));

/**
 * The demo's datasets: each synthetic scenario (where a series-only model provably cannot reach
 * the accuracy a model with metadata reaches) and one small real UCR dataset, all with one
 * small, fast model so every strategy trains in seconds.
 */
export function demoDatasets(
  scenarios: ReadonlyArray<{ name: string; description: string; bayesAccuracyWithoutMetadata: number; bayesAccuracyWithMetadata: number; contextOnly?: boolean }>,
  options: DemoPlanOptions = {},
): DemoDataset[] {
  const o = { ...defaultDemoPlanOptions, ...options };
  const common = {
    model: { encoder: o.encoder, units: 16, headUnits: 16, heads: 2, dropout: 0 },
    split: { strategy: 'stratified', valid: 0.2, test: 0.25, seed: o.seed },
    train: {
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      seed: o.seed,
      earlyStopping: false,
    },
  } satisfies Omit<RunConfigInput, 'data'>;
  const wanted = o.scenarios ?? DEMO_SCENARIOS;
  const picked = scenarios.filter((s) => wanted.includes(s.name));
  const out: DemoDataset[] = picked.map((s) => ({
    name: s.name,
    description: s.description,
    config: { ...common, data: { scenario: { name: s.name as 'machine-type', n: o.n, seed: o.seed, length: 30 } } },
    bayes: { seriesOnly: s.bayesAccuracyWithoutMetadata, withMetadata: s.bayesAccuracyWithMetadata },
    ...(s.contextOnly && { contextOnly: true }),
  }));
  if (o.real) {
    out.push({
      name: 'ItalyPowerDemand',
      description:
        'Real UCR dataset (24 hourly electricity-demand values per day; winter vs summer), committed in apps/cli/demo-data. It has NO metadata: every fusion strategy sees the series alone, so their scores show the cost of the fusion machinery with nothing to fuse.',
      noMetadata: true,
      config: {
        ...common,
        split: { ...common.split, valid: 0.25 },
        data: {
          series: { path: `${demoDataDir}ItalyPowerDemand_TRAIN.ts`, format: 'ts' },
          test: { series: { path: `${demoDataDir}ItalyPowerDemand_TEST.ts`, format: 'ts' } },
        },
      },
    });
  }
  return out;
}
