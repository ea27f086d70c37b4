import {
  MetaseriesError,
  type AlignMethod,
  type AlignedContext,
  type ContextFieldSchema,
  type ContextTrack,
  type ContextValue,
  type Dataset,
  type SeriesRecord,
} from '@metaseries/core';

/**
 * Whether a method only ever uses context stamped at or before the series point. `asof` and
 * `ffill` are; `linear` (interpolates towards the next context value) and `nearest` (may pick a
 * later one) look ahead and can leak the future into a model — use them for context that is
 * known in advance (a schedule), never for measurements.
 */
export function isLeakFree(method: AlignMethod): boolean {
  return method === 'asof' || method === 'ffill';
}

/** Where a record came from, for error messages. */
export interface AlignLocation {
  recordId?: string;
  file?: string;
}

/** Checks that context times increase (equal stamps allowed), else `ALIGN_UNSORTED_TIMES`. */
export function checkSortedTimes(times: ArrayLike<number>, where: AlignLocation = {}): void {
  for (let i = 1; i < times.length; i++) {
    if (!(times[i]! >= times[i - 1]!)) {
      throw new MetaseriesError('ALIGN_UNSORTED_TIMES', 'context times must increase within a record', {
        ...where,
        field: 'time',
        value: times[i],
        expected: `>= ${times[i - 1]}`,
      });
    }
  }
}

/**
 * Carries one context field onto the series' time grid.
 *
 * Rules (every engine follows them):
 * - `asof`: the value of the LAST context row stamped at or before the series time; among rows
 *   with equal stamps the last one wins (as pandas' `merge_asof`). A null value there is missing.
 * - `ffill`: like `asof` but skipping rows whose value is missing (the last known value is
 *   carried forward).
 * - `linear` (numeric, looks ahead): interpolation between the last row at or before and the
 *   first row after the series time; at or past the last row, that row's value.
 * - `nearest` (looks ahead): the row closest in time; ties go to the earlier row.
 * - A value older than `tolerance` (series time − row time), or no row at all before the series
 *   time (context starting after the series), gives missing (`null`) and mask 0.
 */
export function alignContext(
  seriesTimes: ArrayLike<number>,
  track: ContextTrack,
  field: string,
  schema: Pick<ContextFieldSchema, 'align' | 'tolerance' | 'kind'>,
  where: AlignLocation = {},
): { values: ContextValue[]; mask: Uint8Array } {
  const times = track.times;
  checkSortedTimes(times, where);
  const raw = track.values[field] ?? [];
  const tolerance = schema.tolerance ?? Infinity;
  const n = seriesTimes.length;
  const mask = new Uint8Array(n);
  const present = (j: number) => raw[j] !== null && raw[j] !== undefined && !(typeof raw[j] === 'number' && Number.isNaN(raw[j] as number));
  let j = -1; // last row with time <= t (two-pointer: series times are visited in order)
  let lastPresent = -1; // last row <= t with a value
  let sortedSeries = true;
  for (let i = 1; i < n; i++) if (seriesTimes[i]! < seriesTimes[i - 1]!) sortedSeries = false;
  if (!sortedSeries) {
    throw new MetaseriesError('ALIGN_UNSORTED_TIMES', 'series times must increase within a record', { ...where, field: 'time' });
  }
  if (schema.align === 'asof' || schema.align === 'ffill') {
    // the leak-free methods, the common case: one comparison per step
    const ffill = schema.align === 'ffill';
    const out = new Array<ContextValue>(n); // sized once: no growth copies of a long-lived array
    const m = times.length;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      const t = seriesTimes[i]!;
      if (j + 1 < m && times[j + 1]! <= t) {
        do {
          j++;
          if (present(j)) lastPresent = j;
        } while (j + 1 < m && times[j + 1]! <= t);
        pick = ffill ? lastPresent : lastPresent === j ? j : -1;
      }
      if (pick >= 0 && t - times[pick]! <= tolerance) {
        out[i] = raw[pick]!;
        mask[i] = 1;
      } else out[i] = null;
    }
    return { values: out, mask };
  }
  const values: ContextValue[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const t = seriesTimes[i]!;
    while (j + 1 < times.length && times[j + 1]! <= t) {
      j++;
      if (present(j)) lastPresent = j;
    }
    switch (schema.align) {
      case 'nearest': {
        let pick = -1;
        const next = j + 1 < times.length ? j + 1 : -1;
        if (j < 0) pick = next;
        else if (next < 0) pick = j;
        else pick = t - times[j]! <= times[next]! - t ? j : next;
        if (pick >= 0 && !present(pick)) pick = -1;
        if (pick >= 0 && Math.abs(times[pick]! - t) > tolerance) pick = -1;
        if (pick >= 0) {
          values[i] = raw[pick]!;
          mask[i] = 1;
        }
        continue;
      }
      case 'linear': {
        if (lastPresent < 0 || t - times[lastPresent]! > tolerance) continue;
        let next = j + 1;
        while (next < times.length && !present(next)) next++;
        const a = Number(raw[lastPresent]);
        if (next >= times.length || times[next]! === times[lastPresent]!) {
          values[i] = a;
        } else {
          const b = Number(raw[next]);
          const w = (t - times[lastPresent]!) / (times[next]! - times[lastPresent]!);
          values[i] = a + (b - a) * w;
        }
        mask[i] = 1;
        continue;
      }
    }
  }
  return { values, mask };
}

/**
 * Aligns every context field of every record onto its series steps (`record.alignedContext`).
 * Records without context get all-missing context (mask 0).
 */
export function alignDatasetContext(dataset: Dataset): Dataset {
  const fields = Object.entries(dataset.schema.context);
  if (fields.length === 0) return dataset;
  const records: SeriesRecord[] = dataset.records.map((r) => {
    const T = r.values[0]?.length ?? 0;
    const times = r.times ?? Float64Array.from({ length: T }, (_, i) => i);
    const aligned: AlignedContext = { values: {}, mask: {} };
    for (const [name, f] of fields) {
      if (!r.context) {
        aligned.values[name] = new Array(T).fill(null);
        aligned.mask[name] = new Uint8Array(T);
        continue;
      }
      const a = alignContext(times, r.context, name, f, { recordId: r.id });
      aligned.values[name] = a.values;
      aligned.mask[name] = a.mask;
    }
    return { ...r, alignedContext: aligned };
  });
  return { ...dataset, records };
}
