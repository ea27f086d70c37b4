import { createRng, type Rng, type SeriesRecord } from '@metaseries/core';
import type { SplitConfig } from '../config/run-config.js';

/** Record indices of each split, ascending. */
export interface RecordSplit {
  train: number[];
  valid: number[];
  test: number[];
}

function stratum(r: SeriesRecord): string {
  const l = r.label;
  if (Array.isArray(l)) return l.slice().sort().join('|');
  return typeof l === 'number' ? 'number' : String(l);
}

function groupOf(r: SeriesRecord, groupBy: string | undefined): string {
  if (groupBy) {
    const v = r.metadata[groupBy];
    if (v !== undefined && v !== null) return String(v);
  }
  return r.group ?? r.id;
}

/** Deals units (records or groups, with sizes) to test, valid and train by fraction of records. */
function deal(units: Array<{ idx: number[] }>, valid: number, test: number, rng: Rng, out: RecordSplit): void {
  rng.shuffle(units);
  const total = units.reduce((n, u) => n + u.idx.length, 0);
  const wantTest = Math.round(total * test);
  const wantValid = Math.round(total * valid);
  let nTest = 0;
  let nValid = 0;
  for (const u of units) {
    if (nTest < wantTest) {
      out.test.push(...u.idx);
      nTest += u.idx.length;
    } else if (nValid < wantValid) {
      out.valid.push(...u.idx);
      nValid += u.idx.length;
    } else out.train.push(...u.idx);
  }
}

/**
 * Splits `records` into train / valid / test. `random`; `stratified` keeps each label's share
 * in every split (regression labels are treated as one stratum); `group` keeps every group
 * (the `groupBy` metadata field, else `record.group`) inside one split; `stratified-group`
 * does both, stratifying groups by their most common label. Seeded.
 */
export function splitRecords(records: readonly SeriesRecord[], config: SplitConfig, testFraction = config.test): RecordSplit {
  const rng = createRng(config.seed);
  const out: RecordSplit = { train: [], valid: [], test: [] };
  const grouped = config.strategy === 'group' || config.strategy === 'stratified-group';
  const stratified = config.strategy === 'stratified' || config.strategy === 'stratified-group';
  const units = new Map<string, number[]>();
  records.forEach((r, i) => {
    const key = grouped ? groupOf(r, config.groupBy) : `#${i}`;
    const u = units.get(key);
    if (u) u.push(i);
    else units.set(key, [i]);
  });
  const strata = new Map<string, Array<{ idx: number[] }>>();
  for (const idx of units.values()) {
    let key = '';
    if (stratified) {
      const counts = new Map<string, number>();
      for (const i of idx) counts.set(stratum(records[i]!), (counts.get(stratum(records[i]!)) ?? 0) + 1);
      key = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    }
    const s = strata.get(key);
    if (s) s.push({ idx });
    else strata.set(key, [{ idx }]);
  }
  for (const key of [...strata.keys()].sort()) deal(strata.get(key)!, config.valid, testFraction, rng, out);
  out.train.sort((a, b) => a - b);
  out.valid.sort((a, b) => a - b);
  out.test.sort((a, b) => a - b);
  return out;
}
