import { MetaseriesError, type AlignedContext, type Dataset, type SeriesRecord } from '@metaseries/core';
import { stepOffset, type BatchSeriesOptions } from '../batch/batch-series.js';

/** Options of {@link padRecords}. */
export interface PadRecordsOptions {
  /** Steps every record gets. Default: the longest record. */
  length?: number;
  /** Where padding goes when a series is shorter. Default: `'end'`. */
  pad?: 'end' | 'start';
  /** Which steps are dropped when longer: `'start'` keeps the latest steps, `'end'` the first. Default: `'start'`. */
  truncate?: 'start' | 'end';
}

/**
 * Brings records to one length (the same placement rules as `batchSeries`). Padded steps are
 * `NaN` in every channel (and in `times`), `null` in `alignedContext` with context mask 0, and 0
 * in the returned step mask; a record with no series rows becomes all padding (an all-zero mask).
 * The mask is 1 where a real step has at least one observed (non-NaN) channel.
 */
export function padRecords(records: readonly SeriesRecord[], options: PadRecordsOptions = {}): { records: SeriesRecord[]; masks: Uint8Array[] } {
  const T = options.length ?? Math.max(0, ...records.map((r) => r.values[0]?.length ?? 0));
  if (!(Number.isInteger(T) && T >= 0)) throw new MetaseriesError('PAD_BAD_OPTION', 'length must be an integer >= 0', { field: 'length', value: T, expected: 'integer >= 0' });
  const placement: BatchSeriesOptions = { pad: options.pad ?? 'end', truncate: options.truncate ?? 'start' };
  const masks: Uint8Array[] = [];
  const out = records.map((r) => {
    const len = r.values[0]?.length ?? 0;
    const off = stepOffset(len, T, placement);
    const mask = new Uint8Array(T);
    const move = <A extends { length: number; [i: number]: unknown }>(src: A, dst: A, fill: unknown) => {
      for (let t = 0; t < T; t++) {
        const s = t - off;
        (dst as Record<number, unknown>)[t] = s >= 0 && s < len ? src[s] : fill;
      }
      return dst;
    };
    const values = r.values.map((ch) => move(ch, new Float32Array(T), NaN));
    for (let t = 0; t < T; t++) if (values.some((ch) => !Number.isNaN(ch[t]!))) mask[t] = 1;
    masks.push(mask);
    const p: SeriesRecord = { ...r, values };
    if (r.times) p.times = move(r.times, new Float64Array(T), NaN);
    if (r.alignedContext) {
      const a: AlignedContext = { values: {}, mask: {} };
      for (const k of Object.keys(r.alignedContext.values)) a.values[k] = move(r.alignedContext.values[k]!, new Array(T), null);
      for (const k of Object.keys(r.alignedContext.mask)) a.mask[k] = move(r.alignedContext.mask[k]!, new Uint8Array(T), 0);
      p.alignedContext = a;
    }
    return p;
  });
  return { records: out, masks };
}

/**
 * For irregular or gappy series: per channel, the time since that channel's last observed
 * (non-NaN) value, at every step (0 on an observed step; `NaN` before the first observation).
 * Times are `record.times`, or step positions when the record has none. Only past steps are
 * read, so the channel is leak-free.
 */
export function timeSinceObservation(record: SeriesRecord): Float32Array[] {
  const T = record.values[0]?.length ?? 0;
  const timeAt = (s: number) => (record.times ? record.times[s]! : s);
  return record.values.map((ch) => {
    const out = new Float32Array(T);
    let last = NaN;
    for (let t = 0; t < T; t++) {
      if (!Number.isNaN(ch[t]!)) last = timeAt(t);
      out[t] = timeAt(t) - last;
    }
    return out;
  });
}

/** Options of {@link withTimeSinceObservation}. */
export interface TimeSinceObservationOptions {
  /** Divides the elapsed times (e.g. 3600 for hours from seconds). Default: `1`. */
  scale?: number;
  /** Suffix of the new channels' names. Default: `'_since'`. */
  suffix?: string;
}

/**
 * Appends one channel per series channel (named `<channel><suffix>`) holding
 * {@link timeSinceObservation} / `scale`, to the schema and every record.
 */
export function withTimeSinceObservation(dataset: Dataset, options: TimeSinceObservationOptions = {}): Dataset {
  const scale = options.scale ?? 1;
  const suffix = options.suffix ?? '_since';
  const schema = { ...dataset.schema, channels: [...dataset.schema.channels, ...dataset.schema.channels.map((c) => `${c}${suffix}`)] };
  const records = dataset.records.map((r) => ({ ...r, values: [...r.values, ...timeSinceObservation(r).map((ch) => ch.map((v) => v / scale))] }));
  return { ...dataset, schema, records };
}
