import { createRng, MetaseriesError, type SeriesRecord, type TensorData } from '@metaseries/core';

/** Options of {@link batchSeries}. */
export interface BatchSeriesOptions {
  /** Steps per series in the batch. Default: the longest record in the batch. */
  timeSteps?: number;
  /** Where padding goes when a series is shorter. Default: `'end'`. */
  pad?: 'end' | 'start';
  /** Which steps are dropped when a series is longer: keep the last steps (`'start'`) or the first (`'end'`). Default: `'start'` (the most recent steps are kept). */
  truncate?: 'start' | 'end';
}

export const defaultBatchSeriesOptions: Required<Omit<BatchSeriesOptions, 'timeSteps'>> = { pad: 'end', truncate: 'start' };

/** Series `[B, T, C]` (missing values and padding as 0) and mask `[B, T]` (1 = a real step with at least one observed channel). */
export interface SeriesBatch {
  series: TensorData;
  mask: TensorData;
  timeSteps: number;
}

/** Where record step `s` lands in a batch of `T` steps (or -1 when it is dropped). */
export function stepOffset(length: number, T: number, options: BatchSeriesOptions = {}): number {
  const o = { ...defaultBatchSeriesOptions, ...options };
  if (length >= T) return o.truncate === 'start' ? -(length - T) : 0;
  return o.pad === 'end' ? 0 : T - length;
}

/** Packs records into the series and mask tensors the models read. */
export function batchSeries(records: readonly SeriesRecord[], options: BatchSeriesOptions = {}): SeriesBatch {
  const B = records.length;
  const C = records[0]?.values.length ?? 0;
  const T = options.timeSteps ?? Math.max(1, ...records.map((r) => r.values[0]?.length ?? 0));
  const series = new Float32Array(B * T * C);
  const mask = new Float32Array(B * T);
  records.forEach((r, b) => {
    const len = r.values[0]?.length ?? 0;
    const off = stepOffset(len, T, options);
    for (let s = 0; s < len; s++) {
      const t = s + off;
      if (t < 0 || t >= T) continue;
      let any = false;
      for (let c = 0; c < C; c++) {
        const v = r.values[c]![s]!;
        if (Number.isFinite(v)) {
          series[(b * T + t) * C + c] = v;
          any = true;
        }
      }
      mask[b * T + t] = any ? 1 : 0;
    }
  });
  return { series: { dtype: 'float32', shape: [B, T, C], data: series }, mask: { dtype: 'float32', shape: [B, T], data: mask }, timeSteps: T };
}

/** Options of {@link batchIndices}. */
export interface BatchIndicesOptions {
  batchSize: number;
  /** Shuffle the order each pass (needs `rng`). Default: `false`. */
  shuffle?: boolean;
  rng?: { shuffle<T>(a: T[]): T[] };
}

/**
 * Splits record indices into batches, so training reads one batch at a time and the whole set
 * is never one tensor.
 */
export function* batchIndices(indices: readonly number[], options: BatchIndicesOptions): Generator<number[]> {
  const order = [...indices];
  if (options.shuffle) {
    if (!options.rng) throw new Error('batchIndices: shuffle needs an rng');
    options.rng.shuffle(order);
  }
  for (let i = 0; i < order.length; i += options.batchSize) yield order.slice(i, i + options.batchSize);
}

/** Options of {@link iterateBatches}: the batch size and order, and how each batch is packed. */
export interface IterateBatchesOptions extends BatchSeriesOptions {
  /** Records per batch (required, ≥ 1). */
  batchSize: number;
  /** Shuffle the order (seeded by `seed`). Default: `false`. */
  shuffle?: boolean;
  /** Seed of the shuffle. Default: `42`. */
  seed?: number;
}

/**
 * Yields packed batches (`batchSeries` of `batchSize` records at a time) with the record indices
 * they hold, so a training loop never holds the whole set as one tensor. Set `timeSteps` to give
 * every batch the same length (else each batch is as long as its longest record).
 */
export function* iterateBatches(records: readonly SeriesRecord[], indices: readonly number[], options: IterateBatchesOptions): Generator<SeriesBatch & { indices: number[] }> {
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) {
    throw new MetaseriesError('BATCH_BAD_OPTION', 'batchSize must be an integer >= 1', { field: 'batchSize', value: options.batchSize, expected: 'integer >= 1' });
  }
  const rng = options.shuffle ? createRng(options.seed ?? 42) : undefined;
  for (const idx of batchIndices(indices, { batchSize: options.batchSize, shuffle: options.shuffle ?? false, ...(rng ? { rng } : {}) })) {
    yield { ...batchSeries(idx.map((i) => records[i]!), options), indices: idx };
  }
}
