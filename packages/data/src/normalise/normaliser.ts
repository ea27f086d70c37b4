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
  /** `group` scope: the field that names the group (see `groupSource`). Required for that scope. */
  groupBy?: string;
  /**
   * `group` scope: where the group is read. `'metadata'`: `record.metadata[groupBy]` (one group
   * per record); `'record'`: `record.group` (`groupBy` is ignored); `'context'`: the aligned
   * context field `groupBy` at EACH step (`record.alignedContext`, run `alignDatasetContext`
   * first), so a run that changes operating regime is normalised per regime step by step. A step
   * or record whose group training never saw (or whose context is missing) uses the statistics
   * over all training data. Default: `'metadata'`.
   */
  groupSource?: 'metadata' | 'record' | 'context';
}

export const defaultNormaliserOptions = { method: 'zscore', scope: 'channel', groupSource: 'metadata' } as const satisfies NormaliserOptions;

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
  groupSource?: 'metadata' | 'record' | 'context';
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
    const source = options.groupSource ?? defaultNormaliserOptions.groupSource;
    if (!options.groupBy && source !== 'record') throw new MetaseriesError('NORMALISE_BAD_OPTION', 'the group scope needs groupBy (a metadata or context field)', { field: 'groupBy', expected: 'a field name' });
    if (options.groupBy) state.groupBy = options.groupBy;
    state.groupSource = source;
    // group -> channel -> values
    const groups = new Map<string, number[][]>();
    const bucket = (g: string) => {
      if (!groups.has(g)) groups.set(g, Array.from({ length: channels }, () => []));
      return groups.get(g)!;
    };
    for (const r of trainRecords) {
      const steps = stepGroups(r, state);
      const T = r.values[0]?.length ?? 0;
      for (let t = 0; t < T; t++) {
        const g = steps(t);
        if (g === undefined) continue;
        const b = bucket(g);
        for (let c = 0; c < channels; c++) b[c]!.push(r.values[c]![t]!);
      }
    }
    for (const [g, chans] of groups) {
      const st = chans.map((v) => statistics(v, method));
      state.stats[`=${g}`] = { center: st.map((x) => x.center), scale: st.map((x) => x.scale) };
    }
  }
  return state;
}

/** The group of each step of a record (undefined: no group, use the overall statistics). */
function stepGroups(r: SeriesRecord, state: Pick<NormaliserState, 'groupBy' | 'groupSource'>): (t: number) => string | undefined {
  if (state.groupSource === 'context') {
    const a = r.alignedContext?.values[state.groupBy!];
    if (!a) {
      throw new MetaseriesError('NORMALISE_NOT_ALIGNED', 'per-context-group normalisation needs aligned context; run alignDatasetContext first', {
        recordId: r.id,
        field: state.groupBy,
        expected: 'record.alignedContext',
      });
    }
    const mask = r.alignedContext!.mask[state.groupBy!];
    return (t) => (a[t] === null || a[t] === undefined || (mask && mask[t] === 0) ? undefined : String(a[t]));
  }
  const v = state.groupSource === 'record' ? r.group : r.metadata[state.groupBy!];
  const g = v === undefined || v === null ? '' : String(v);
  return () => g;
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
    else stats = state.stats['*']!;
    const groups = state.scope === 'group' ? stepGroups(r, { groupBy: state.groupBy, groupSource: state.groupSource ?? 'metadata' }) : undefined;
    const values = r.values.map((ch, c) => {
      const out = new Float32Array(ch.length);
      for (let i = 0; i < ch.length; i++) {
        const g = groups?.(i);
        const st = (g !== undefined ? state.stats[`=${g}`] : undefined) ?? stats;
        out[i] = (ch[i]! - st.center[c]!) / st.scale[c]!;
      }
      return out;
    });
    return { ...r, values };
  });
}
