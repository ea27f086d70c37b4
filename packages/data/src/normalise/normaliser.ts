import { MetaseriesError, quantileOfSorted, type ContextValue, type SeriesRecord } from '@metaseries/core';
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

/**
 * Running sums for `zscore` and `minmax`: values are added one by one in the same order as a
 * single pass over them, so the result equals {@link statistics} on the same sequence.
 */
class Moments {
  n = 0;
  sum = 0;
  sumSq = 0;
  lo = Infinity;
  hi = -Infinity;

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.n++;
    this.sum += v;
    this.sumSq += v * v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /** `add` of `values[from, to)` in order, in local variables (the same sums, faster). */
  addRange(values: ArrayLike<number>, from: number, to: number): void {
    let { n, sum, sumSq, lo, hi } = this;
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue; // NaN or ±Infinity (not finite)
      n++;
      sum += v;
      sumSq += v * v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.n = n;
    this.sum = sum;
    this.sumSq = sumSq;
    this.lo = lo;
    this.hi = hi;
  }

  result(method: 'zscore' | 'minmax'): { center: number; scale: number } {
    const { n, sum, sumSq, lo, hi } = this;
    if (n === 0) return { center: 0, scale: 1 };
    if (method === 'minmax') return { center: lo, scale: hi - lo > 1e-12 ? hi - lo : 1 };
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    return { center: mean, scale: sd > 1e-12 ? sd : 1 };
  }
}

/** What the statistics of one channel (or one channel in one group) are fitted from. */
type Collector = Moments | number[];

function collector(method: NormaliseMethod): Collector {
  return method === 'robust' ? [] : new Moments();
}

/** Adds `values[from, to)` (default: all) to a collector, in order. */
function collect(c: Collector, values: ArrayLike<number>, from = 0, to = values.length): void {
  if (c instanceof Moments) c.addRange(values, from, to);
  else for (let i = from; i < to; i++) c.push(values[i]!);
}

/**
 * The steps of a record cut into runs of one group value (`undefined`: no group — missing value or
 * mask 0), covering `[0, T)` in order: a regime logged every few steps gives a handful of runs, so
 * groups are resolved per run, not per step.
 */
function groupRuns(steps: { values: ContextValue[]; mask: Uint8Array | undefined }, T: number): { ends: number[]; values: Array<ContextValue | undefined> } {
  const ends: number[] = [];
  const values: Array<ContextValue | undefined> = [];
  const { mask } = steps;
  let prev: ContextValue | undefined;
  for (let t = 0; t < T; t++) {
    let v: ContextValue | undefined = steps.values[t];
    if (v === null || (mask && mask[t] === 0)) v = undefined;
    if (t > 0 && v === prev) ends[ends.length - 1] = t + 1;
    else {
      ends.push(t + 1);
      values.push(v);
    }
    prev = v;
  }
  return { ends, values };
}

function finish(c: Collector, method: NormaliseMethod): { center: number; scale: number } {
  return c instanceof Moments ? c.result(method as 'zscore' | 'minmax') : statistics(c, method);
}

/** Centre and scale of finite values (NaN ignored); a constant or empty set scales by 1. */
export function statistics(values: Iterable<number>, method: NormaliseMethod): { center: number; scale: number } {
  if (method === 'robust') {
    const xs: number[] = [];
    for (const v of values) if (Number.isFinite(v)) xs.push(v);
    const s = Float64Array.from(xs).sort();
    const iqr = quantileOfSorted(s, 0.75) - quantileOfSorted(s, 0.25);
    return { center: quantileOfSorted(s, 0.5), scale: iqr > 1e-12 ? iqr : 1 };
  }
  const m = new Moments();
  for (const v of values) m.add(v);
  return m.result(method);
}

function fitStats(records: SeriesRecord[], channels: number, method: NormaliseMethod, scope: NormaliseScope): ChannelStats {
  if (scope === 'global') {
    const all = collector(method);
    for (const r of records) for (const ch of r.values) collect(all, ch);
    const s = finish(all, method);
    return { center: new Array(channels).fill(s.center), scale: new Array(channels).fill(s.scale) };
  }
  const center: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < channels; c++) {
    const one = collector(method);
    for (const r of records) collect(one, r.values[c]!);
    const s = finish(one, method);
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
  if (scope === 'channel') state.stats['*'] = fitStats(trainRecords, channels, method, 'channel');
  if (scope === 'global') state.stats['*'] = fitStats(trainRecords, channels, method, 'global');
  if (scope === 'group') {
    const source = options.groupSource ?? defaultNormaliserOptions.groupSource;
    if (!options.groupBy && source !== 'record') throw new MetaseriesError('NORMALISE_BAD_OPTION', 'the group scope needs groupBy (a metadata or context field)', { field: 'groupBy', expected: 'a field name' });
    if (options.groupBy) state.groupBy = options.groupBy;
    state.groupSource = source;
    // group -> one collector per channel; the group of a step is resolved once per distinct value
    const groups = new Map<string, Collector[]>();
    const bucket = (g: string) => {
      let b = groups.get(g);
      if (!b) groups.set(g, (b = Array.from({ length: channels }, () => collector(method))));
      return b;
    };
    // the statistics over all training data ("*", the fallback) are gathered in the same pass
    const overall = Array.from({ length: channels }, () => collector(method));
    for (const r of trainRecords) {
      const T = r.values[0]?.length ?? 0;
      const steps = stepGroups(r, state);
      if (typeof steps === 'string') {
        const b = bucket(steps);
        for (let c = 0; c < channels; c++) {
          collect(b[c]!, r.values[c]!);
          collect(overall[c]!, r.values[c]!);
        }
        continue;
      }
      const cache = new Map<ContextValue, Collector[]>();
      const runs = groupRuns(steps, T);
      let start = 0;
      for (let k = 0; k < runs.ends.length; k++) {
        const v = runs.values[k];
        const end = runs.ends[k]!;
        if (v !== undefined) {
          let b = cache.get(v);
          if (b === undefined) cache.set(v, (b = bucket(String(v))));
          for (let c = 0; c < channels; c++) collect(b[c]!, r.values[c]!, start, end);
        }
        for (let c = 0; c < channels; c++) collect(overall[c]!, r.values[c]!, start, Math.min(end, r.values[c]!.length));
        start = end;
      }
      for (let c = 0; c < channels; c++) if (r.values[c]!.length > T) collect(overall[c]!, r.values[c]!, T);
    }
    const all = overall.map((v) => finish(v, method));
    state.stats['*'] = { center: all.map((x) => x.center), scale: all.map((x) => x.scale) };
    for (const [g, chans] of groups) {
      const st = chans.map((v) => finish(v, method));
      state.stats[`=${g}`] = { center: st.map((x) => x.center), scale: st.map((x) => x.scale) };
    }
  }
  return state;
}

/**
 * The group of a record (`metadata` / `record` sources: one string) or its aligned context field
 * (`context` source: a value per step; null, undefined or mask 0 means no group).
 */
function stepGroups(r: SeriesRecord, state: Pick<NormaliserState, 'groupBy' | 'groupSource'>): string | { values: ContextValue[]; mask: Uint8Array | undefined } {
  if (state.groupSource === 'context') {
    const a = r.alignedContext?.values[state.groupBy!];
    if (!a) {
      throw new MetaseriesError('NORMALISE_NOT_ALIGNED', 'per-context-group normalisation needs aligned context; run alignDatasetContext first', {
        recordId: r.id,
        field: state.groupBy,
        expected: 'record.alignedContext',
      });
    }
    return { values: a, mask: r.alignedContext!.mask[state.groupBy!] };
  }
  const v = state.groupSource === 'record' ? r.group : r.metadata[state.groupBy!];
  return v === undefined || v === null ? '' : String(v);
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
    const overall = state.scope === 'instance' ? fitStats([r], state.channels, state.method, 'channel') : state.stats['*']!;
    const T = r.values[0]?.length ?? 0;
    // the statistics of each run of steps: one run for the whole record, or runs of one context group
    let ends = [T];
    let runStats = [overall];
    if (state.scope === 'group') {
      const steps = stepGroups(r, { groupBy: state.groupBy, groupSource: state.groupSource ?? 'metadata' });
      if (typeof steps === 'string') runStats = [state.stats[`=${steps}`] ?? overall];
      else {
        const runs = groupRuns(steps, T);
        const cache = new Map<ContextValue, ChannelStats>();
        ends = runs.ends;
        runStats = runs.values.map((v) => {
          if (v === undefined) return overall;
          let st = cache.get(v);
          if (st === undefined) cache.set(v, (st = state.stats[`=${String(v)}`] ?? overall));
          return st;
        });
      }
    }
    const values = r.values.map((ch, c) => {
      const out = new Float32Array(ch.length);
      let start = 0;
      for (let k = 0; k < ends.length; k++) {
        const end = Math.min(ends[k]!, ch.length);
        const center = runStats[k]!.center[c]!;
        const scale = runStats[k]!.scale[c]!;
        for (let i = start; i < end; i++) out[i] = (ch[i]! - center) / scale;
        start = end;
      }
      for (let i = start; i < ch.length; i++) out[i] = (ch[i]! - overall.center[c]!) / overall.scale[c]!;
      return out;
    });
    return { ...r, values };
  });
}
