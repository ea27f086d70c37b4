import { MetaseriesError, type Rng, type TensorData, type TensorDataMap } from '@metaseries/core';

/** Prefix that names a series channel rather than an input: `channel:0`, `channel:2`. */
export const CHANNEL_PREFIX = 'channel:';

function shuffledRows(t: TensorData, order: readonly number[], inner: (row: number, offset: number) => boolean): TensorData {
  const b = t.shape[0]!;
  const rowSize = t.data.length / b;
  const data = t.data.slice();
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < rowSize; j++) if (inner(i, j)) data[i * rowSize + j] = t.data[order[i]! * rowSize + j]!;
  }
  return { ...t, data };
}

/**
 * A `permute` for {@link permutationImportance} over a model's input batch (`TensorDataMap`,
 * batch dimension first): `name` an input (`meta_ward`, `ctx_dose`) shuffles that input's rows
 * across records; `channel:<c>` shuffles channel c of the `series` input `[B, T, C]` across
 * records (the mask stays with its record, so a shorter record's padding may carry values).
 * Returns a new batch; the others inputs are shared, not copied.
 */
export function permuteTensorBatch(batch: TensorDataMap, name: string, rng: Rng): TensorDataMap {
  const first = Object.values(batch)[0];
  const b = first?.shape[0] ?? 0;
  const order = rng.shuffle(Array.from({ length: b }, (_, i) => i));
  if (name.startsWith(CHANNEL_PREFIX)) {
    const c = Number(name.slice(CHANNEL_PREFIX.length));
    const series = batch.series;
    const channels = series?.shape[2] ?? 0;
    if (!series || !(Number.isInteger(c) && c >= 0 && c < channels)) {
      throw new MetaseriesError('EVAL_UNKNOWN_FEATURE', `no series channel ${name.slice(CHANNEL_PREFIX.length)} to permute`, { field: name, expected: `channel:0..channel:${channels - 1}` });
    }
    return { ...batch, series: shuffledRows(series, order, (_row, j) => j % channels === c) };
  }
  const t = batch[name];
  if (!t) throw new MetaseriesError('EVAL_UNKNOWN_FEATURE', `the batch has no input ${name} to permute`, { field: name, expected: Object.keys(batch).join(', ') });
  return { ...batch, [name]: shuffledRows(t, order, () => true) };
}
