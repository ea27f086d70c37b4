import { MetaseriesError, type AlignedContext, type LabelValue, type SeriesRecord } from '@metaseries/core';

/**
 * How a window is labelled:
 * - `'end'`: the label at the window's last step — `stepLabels[end]` when per-step labels are
 *   given, else the record's own label.
 * - `{ horizon, events }`: `'event'` when an event is stamped in `(tEnd, tEnd + horizon]` (e.g.
 *   "failure within the next 24 h"), else `'no-event'`. Times are the record's `times` (step
 *   positions when it has none).
 */
export type WindowLabel = 'end' | { horizon: number; events: number | readonly number[] };

/** Options of {@link slidingWindows}. */
export interface SlidingWindowOptions {
  /** Steps per window (required, ≥ 1). */
  length: number;
  /** Steps between the starts of two windows. Default: `length` (no overlap). */
  stride?: number;
  /** How each window is labelled. Default: `'end'`. */
  label?: WindowLabel;
  /** `'end'` labels: one label per step of the record. Default: none (the record's label). */
  stepLabels?: readonly LabelValue[];
  /** Horizon labels: `[negative, positive]` class names. Default: `['no-event', 'event']`. */
  classes?: readonly [string, string];
  /**
   * Horizon labels: a window whose horizon reaches past the record's last time stamp without an
   * event is censored (nobody knows whether the event came): `'drop'` it, or call it
   * `'negative'`. Default: `'drop'`.
   */
  censored?: 'drop' | 'negative';
}

export const defaultSlidingWindowOptions = { label: 'end', classes: ['no-event', 'event'], censored: 'drop' } as const satisfies Omit<SlidingWindowOptions, 'length'>;

function sliceAligned(a: AlignedContext, from: number, to: number): AlignedContext {
  const out: AlignedContext = { values: {}, mask: {} };
  for (const k of Object.keys(a.values)) out.values[k] = a.values[k]!.slice(from, to);
  for (const k of Object.keys(a.mask)) out.mask[k] = a.mask[k]!.slice(from, to);
  return out;
}

/**
 * Cuts one long run into windows of `length` steps, `stride` apart, starting at step 0 (a tail
 * shorter than `length` is not a window). Each window is a record with id `<id>#<start>`, the
 * run's metadata and context track, its slice of `times` and `alignedContext`, and
 * `group = record.group ?? record.id`, so a group-aware split keeps every window of a run on one
 * side (windows of one run overlap and must never be split across train and test).
 */
export function slidingWindows(record: SeriesRecord, options: SlidingWindowOptions): SeriesRecord[] {
  const o = { ...defaultSlidingWindowOptions, stride: options.length, ...options };
  for (const [k, v] of [['length', o.length], ['stride', o.stride]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new MetaseriesError('WINDOW_BAD_OPTION', `${k} must be an integer >= 1`, { recordId: record.id, field: k, value: v, expected: 'integer >= 1' });
  }
  const T = record.values[0]?.length ?? 0;
  if (o.stepLabels && o.stepLabels.length !== T) {
    throw new MetaseriesError('WINDOW_BAD_OPTION', 'stepLabels needs one label per step of the record', { recordId: record.id, field: 'stepLabels', value: o.stepLabels.length, expected: String(T) });
  }
  const timeAt = (s: number) => (record.times ? record.times[s]! : s);
  const events = typeof o.label === 'object' ? (typeof o.label.events === 'number' ? [o.label.events] : [...o.label.events]) : [];
  const lastTime = T > 0 ? timeAt(T - 1) : -Infinity;
  const out: SeriesRecord[] = [];
  for (let start = 0; start + o.length <= T; start += o.stride) {
    const end = start + o.length - 1;
    let label: LabelValue | undefined;
    if (o.label === 'end') {
      label = o.stepLabels ? o.stepLabels[end]! : record.label;
    } else {
      const tEnd = timeAt(end);
      const horizonEnd = tEnd + o.label.horizon;
      const hit = events.some((e) => e > tEnd && e <= horizonEnd);
      if (!hit && horizonEnd > lastTime && o.censored === 'drop') continue;
      label = hit ? o.classes[1] : o.classes[0];
    }
    const w: SeriesRecord = {
      id: `${record.id}#${start}`,
      values: record.values.map((ch) => ch.slice(start, end + 1)),
      metadata: record.metadata,
      group: record.group ?? record.id,
    };
    if (record.times) w.times = record.times.slice(start, end + 1);
    if (record.context) w.context = record.context;
    if (record.alignedContext) w.alignedContext = sliceAligned(record.alignedContext, start, end + 1);
    if (label !== undefined) w.label = label;
    out.push(w);
  }
  return out;
}
