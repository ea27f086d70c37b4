import { createRng, MetaseriesError, type Rng, type SeriesRecord } from '@metaseries/core';

/** How records are divided. */
export type SplitStrategy = 'random' | 'stratified' | 'group' | 'stratified-group' | 'time';

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  /** Default: `'stratified'` (or `'stratified-group'` when `groupBy` is set). */
  strategy?: SplitStrategy;
  /**
   * Group key: `'group'` (the record's `group`), or a metadata field name. Records of one group
   * never land in two splits. Default: none (or `'group'` for group strategies).
   */
  groupBy?: string;
  /** Share of records (or groups) for validation. Default: `0.15`. */
  valid?: number;
  /** Share for test. Default: `0.15`. */
  test?: number;
  /** Default: `42`. */
  seed?: number;
  /** `time` strategy: the time of a record (default: its first time stamp, else its position). */
  timeOf?: (r: SeriesRecord, index: number) => number;
}

/**
 * Indices of training records. A distinct (branded) type, so that fitting a normaliser or an
 * encoder on anything but the training split is a type error unless written on purpose
 * ({@link asTrainIndices}).
 */
export type TrainIndices = readonly number[] & { readonly __split: 'train' };

/** Marks indices as training indices. Use only for indices that really are the training set. */
export function asTrainIndices(indices: readonly number[]): TrainIndices {
  return indices as TrainIndices;
}

/** Indices of the records in each split. */
export interface Split {
  train: TrainIndices;
  valid: number[];
  test: number[];
}

function labelKey(r: SeriesRecord): string {
  const l = r.label;
  return Array.isArray(l) ? l.join('|') : String(l ?? '');
}

/** The group of a record under `groupBy`. */
export function groupOf(r: SeriesRecord, groupBy: string): string {
  if (groupBy === 'group') {
    if (r.group === undefined) throw new MetaseriesError('SPLIT_NO_GROUP', 'a group-aware split needs a group for every record', { recordId: r.id, field: 'group' });
    return r.group;
  }
  const v = r.metadata[groupBy];
  if (v === undefined || v === null) {
    throw new MetaseriesError('SPLIT_NO_GROUP', 'a group-aware split needs the group field on every record', { recordId: r.id, field: groupBy, value: v, expected: 'a value' });
  }
  return String(v);
}

function checkShares(valid: number, test: number): void {
  for (const [k, v] of [['valid', valid], ['test', test]] as const) {
    if (!(v >= 0 && v < 1)) throw new MetaseriesError('SPLIT_BAD_OPTION', `${k} must be a share in [0, 1)`, { field: `split.${k}`, value: v, expected: '0 <= share < 1' });
  }
  if (valid + test >= 1) throw new MetaseriesError('SPLIT_BAD_OPTION', 'valid + test must leave records for training', { field: 'split', value: valid + test, expected: '< 1' });
}

/**
 * Assigns units (records or groups, each with a class key) to train/valid/test so that each
 * class's units are divided in the requested shares (largest-remainder rounding per class).
 */
function assign(units: Array<{ key: string; members: number[] }>, valid: number, test: number, rng: Rng, stratify: boolean): Split {
  const out = { train: [] as number[], valid: [] as number[], test: [] as number[] };
  const byClass = new Map<string, Array<{ key: string; members: number[] }>>();
  for (const u of units) {
    const k = stratify ? u.key : '';
    if (!byClass.has(k)) byClass.set(k, []);
    byClass.get(k)!.push(u);
  }
  for (const k of [...byClass.keys()].sort()) {
    const list = rng.shuffle(byClass.get(k)!);
    const nTest = Math.round(list.length * test);
    const nValid = Math.round(list.length * valid);
    list.forEach((u, i) => {
      const target = i < nTest ? out.test : i < nTest + nValid ? out.valid : out.train;
      target.push(...u.members);
    });
  }
  for (const k of ['train', 'valid', 'test'] as const) out[k].sort((a, b) => a - b);
  return { ...out, train: asTrainIndices(out.train) };
}

/** Divides records into train / valid / test index lists (seeded). */
export function splitDataset(records: readonly SeriesRecord[], options: SplitOptions = {}): Split {
  const valid = options.valid ?? 0.15;
  const test = options.test ?? 0.15;
  checkShares(valid, test);
  const strategy = options.strategy ?? (options.groupBy ? 'stratified-group' : 'stratified');
  const rng = createRng(options.seed ?? 42);
  if (strategy === 'time') {
    const order = records.map((r, i) => ({ i, t: options.timeOf ? options.timeOf(r, i) : (r.times?.[0] ?? i) }));
    order.sort((a, b) => a.t - b.t || a.i - b.i);
    const n = order.length;
    const nTest = Math.round(n * test);
    const nValid = Math.round(n * valid);
    const idx = order.map((o) => o.i);
    const sort = (a: number[]) => a.sort((x, y) => x - y);
    return { train: asTrainIndices(sort(idx.slice(0, n - nTest - nValid))), valid: sort(idx.slice(n - nTest - nValid, n - nTest)), test: sort(idx.slice(n - nTest)) };
  }
  if (strategy === 'group' || strategy === 'stratified-group') {
    const groupBy = options.groupBy ?? 'group';
    const groups = new Map<string, number[]>();
    records.forEach((r, i) => {
      const g = groupOf(r, groupBy);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(i);
    });
    // A group's class key is its majority label (stratifying groups approximately).
    const units = [...groups.entries()].map(([, members]) => {
      const counts = new Map<string, number>();
      for (const m of members) counts.set(labelKey(records[m]!), (counts.get(labelKey(records[m]!)) ?? 0) + 1);
      const key = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
      return { key, members };
    });
    units.sort((a, b) => a.members[0]! - b.members[0]!);
    return assign(units, valid, test, rng, strategy === 'stratified-group');
  }
  if (strategy !== 'random' && strategy !== 'stratified') {
    throw new MetaseriesError('SPLIT_BAD_OPTION', 'unknown split strategy', { field: 'split.strategy', value: strategy, expected: 'random | stratified | group | stratified-group | time' });
  }
  return assign(records.map((r, i) => ({ key: labelKey(r), members: [i] })), valid, test, rng, strategy === 'stratified');
}

/** Options of {@link kFold}. */
export interface KFoldOptions {
  /** Number of folds. Default: `5`. */
  k?: number;
  /** Default: `'stratified'` (`'stratified-group'` with `groupBy`). `time` is not a k-fold strategy. */
  strategy?: Exclude<SplitStrategy, 'time'>;
  groupBy?: string;
  /** Default: `42`. */
  seed?: number;
}

/** k folds of `{ train, test }` indices; every record is in exactly one test fold, groups never straddle. */
export function kFold(records: readonly SeriesRecord[], options: KFoldOptions = {}): Array<{ train: TrainIndices; test: number[] }> {
  const k = options.k ?? 5;
  if (!(Number.isInteger(k) && k >= 2)) throw new MetaseriesError('SPLIT_BAD_OPTION', 'k must be an integer >= 2', { field: 'k', value: k, expected: 'integer >= 2' });
  const strategy = options.strategy ?? (options.groupBy ? 'stratified-group' : 'stratified');
  const rng = createRng(options.seed ?? 42);
  const grouped = strategy === 'group' || strategy === 'stratified-group';
  const unitsMap = new Map<string, number[]>();
  records.forEach((r, i) => {
    const key = grouped ? groupOf(r, options.groupBy ?? 'group') : String(i);
    if (!unitsMap.has(key)) unitsMap.set(key, []);
    unitsMap.get(key)!.push(i);
  });
  const stratify = strategy === 'stratified' || strategy === 'stratified-group';
  const byClass = new Map<string, number[][]>();
  for (const members of unitsMap.values()) {
    const key = stratify ? labelKey(records[members[0]!]!) : '';
    if (!byClass.has(key)) byClass.set(key, []);
    byClass.get(key)!.push(members);
  }
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const key of [...byClass.keys()].sort()) {
    for (const members of rng.shuffle(byClass.get(key)!)) {
      folds[next % k]!.push(...members);
      next++;
    }
  }
  return folds.map((testIdx) => {
    const inTest = new Set(testIdx);
    return { train: asTrainIndices(records.map((_, i) => i).filter((i) => !inTest.has(i))), test: [...testIdx].sort((a, b) => a - b) };
  });
}

/** k folds stratified by class (`kFold` with `strategy: 'stratified'`). */
export function stratifiedKFold(records: readonly SeriesRecord[], options: Omit<KFoldOptions, 'strategy' | 'groupBy'> = {}): Array<{ train: TrainIndices; test: number[] }> {
  return kFold(records, { ...options, strategy: 'stratified' });
}

/** k folds of whole groups (`kFold` with `strategy: 'group'`; `groupBy` default `'group'`). */
export function groupKFold(records: readonly SeriesRecord[], options: Omit<KFoldOptions, 'strategy'> = {}): Array<{ train: TrainIndices; test: number[] }> {
  return kFold(records, { ...options, groupBy: options.groupBy ?? 'group', strategy: 'group' });
}

/** k folds of whole groups, stratified by each group's first record's class (`kFold` with `strategy: 'stratified-group'`). */
export function stratifiedGroupKFold(records: readonly SeriesRecord[], options: Omit<KFoldOptions, 'strategy'> = {}): Array<{ train: TrainIndices; test: number[] }> {
  return kFold(records, { ...options, groupBy: options.groupBy ?? 'group', strategy: 'stratified-group' });
}
