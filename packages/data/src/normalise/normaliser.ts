import { MetaseriesError, type SeriesRecord } from '@metaseries/core';
import type { TrainIndices } from '../split/split-dataset.js';

/** How values are centred and scaled. */
export type NormaliseMethod = 'zscore' | 'minmax' | 'robust';
/**
 * What the statistics are computed over: all channels together (`global`), each channel
 * (`channel`), each channel within each group of a metadata field (`group`, e.g. per operating
 * regime or per machine model), or each series on its own (`instance`, nothing is fitted).
 */
export type NormaliseScope = 'global' | 'channel' | 'group' | 'instance';

/** Options of {@link fitNormaliser}. */
export interface NormaliserOptions {
  /** Default: `'zscore'`. */
  method?: NormaliseMethod;
  /** Default: `'channel'`. */
  scope?: NormaliseScope;
  /** `group` scope: the metadata field that names the group. Required for that scope. */
  groupBy?: string;
}

export const defaultNormaliserOptions = { method: 'zscore', scope: 'channel' } as const satisfies NormaliserOptions;

/** Centre and scale per channel. */
export interface ChannelStats {
  center: number[];
  scale: number[];
}

/** A fitted normaliser: plain JSON. Group `"*"` holds the statistics over all training records (the fallback for a group training never saw). */
export interface NormaliserState {
  format: 'metaseries.normaliser';
  method: NormaliseMethod;
  scope: NormaliseScope;
  groupBy?: string;
  channels: number;
  stats: Record<string, ChannelStats>;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Centre and scale of finite values (NaN ignored); a constant or empty set scales by 1. */
export function statistics(values: Iterable<number>, method: NormaliseMethod): { center: number; scale: number } {
  if (method === 'robust') {
    const xs: number[] = [];
    for (const v of values) if (Number.isFinite(v)) xs.push(v);
    const s = Float64Array.from(xs).sort();
    const iqr = quantile(s, 0.75) - quantile(s, 0.25);
    return { center: quantile(s, 0.5), scale: iqr > 1e-12 ? iqr : 1 };
  }
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sumSq += v * v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (n === 0) return { center: 0, scale: 1 };
  if (method === 'minmax') return { center: lo, scale: hi - lo > 1e-12 ? hi - lo : 1 };
  const mean = sum / n;
  const sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  return { center: mean, scale: sd > 1e-12 ? sd : 1 };
}

function* channelValues(records: Iterable<SeriesRecord>, c: number | 'all'): Generator<number> {
  for (const r of records) {
    const chans = c === 'all' ? r.values : [r.values[c]!];
    for (const ch of chans) for (let i = 0; i < ch.length; i++) yield ch[i]!;
  }
}

function fitStats(records: SeriesRecord[], channels: number, method: NormaliseMethod, scope: NormaliseScope): ChannelStats {
  if (scope === 'global') {
    const s = statistics(channelValues(records, 'all'), method);
    return { center: new Array(channels).fill(s.center), scale: new Array(channels).fill(s.scale) };
  }
  const center: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < channels; c++) {
    const s = statistics(channelValues(records, c), method);
    center.push(s.center);
    scale.push(s.scale);
  }
  return { center, scale };
}

/**
 * Fits a normaliser on the TRAINING records only: it takes all records and the training indices
 * (the `train` of a `Split`), so fitting on validation or test data cannot happen by accident.
 */
export function fitNormaliser(records: readonly SeriesRecord[], train: TrainIndices, options: NormaliserOptions = {}): NormaliserState {
  const method = options.method ?? defaultNormaliserOptions.method;
  const scope = options.scope ?? defaultNormaliserOptions.scope;
  const trainRecords = train.map((i) => {
    const r = records[i];
    if (!r) throw new MetaseriesError('NORMALISE_BAD_INDEX', 'a training index points past the records', { value: i, expected: `< ${records.length}` });
    return r;
  });
  const channels = records[0]?.values.length ?? 0;
  const state: NormaliserState = { format: 'metaseries.normaliser', method, scope, channels, stats: {} };
  if (scope === 'instance') return state;
  state.stats['*'] = fitStats(trainRecords, channels, method, 'channel');
  if (scope === 'global') state.stats['*'] = fitStats(trainRecords, channels, method, 'global');
  if (scope === 'group') {
    if (!options.groupBy) throw new MetaseriesError('NORMALISE_BAD_OPTION', 'the group scope needs groupBy (a metadata field)', { field: 'groupBy', expected: 'a metadata field name' });
    state.groupBy = options.groupBy;
    const groups = new Map<string, SeriesRecord[]>();
    for (const r of trainRecords) {
      const g = String(r.metadata[options.groupBy] ?? '');
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(r);
    }
    for (const [g, rs] of groups) state.stats[`=${g}`] = fitStats(rs, channels, method, 'channel');
  }
  return state;
}

/** Returns normalised copies of `records` (NaN stays NaN). */
export function applyNormaliser(state: NormaliserState, records: readonly SeriesRecord[]): SeriesRecord[] {
  if (state.format !== 'metaseries.normaliser') throw new MetaseriesError('NORMALISE_BAD_STATE', 'not a normaliser state', { value: state.format, expected: 'metaseries.normaliser' });
  return records.map((r) => {
    if (r.values.length !== state.channels) {
      throw new MetaseriesError('NORMALISE_CHANNEL_MISMATCH', 'a record has another number of channels than the normaliser was fitted on', {
        recordId: r.id,
        value: r.values.length,
        expected: String(state.channels),
      });
    }
    let stats: ChannelStats;
    if (state.scope === 'instance') stats = fitStats([r], state.channels, state.method, 'channel');
    else if (state.scope === 'group') stats = state.stats[`=${String(r.metadata[state.groupBy!] ?? '')}`] ?? state.stats['*']!;
    else stats = state.stats['*']!;
    const values = r.values.map((ch, c) => {
      const out = new Float32Array(ch.length);
      const m = stats.center[c]!;
      const s = stats.scale[c]!;
      for (let i = 0; i < ch.length; i++) out[i] = (ch[i]! - m) / s;
      return out;
    });
    return { ...r, values };
  });
}
