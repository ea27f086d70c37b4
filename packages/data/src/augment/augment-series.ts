import { MetaseriesError, type AlignedContext, type ContextValue, type Rng, type SeriesRecord } from '@metaseries/core';

/**
 * Training-time augmentation of series (after Um et al. 2017, Le Guennec et al. 2016 and the
 * survey of Iwana & Uchida 2021). Every transform is off by default; each one that is set is
 * applied to an augmented record, in the order time (window slice, window warp, time warp) then
 * magnitude (scale, magnitude warp, jitter). Amounts are in the units of the series it gets —
 * after normalisation, standard deviations of the training data.
 */
export interface AugmentOptions {
  /** Standard deviation of Gaussian noise added to every observed value. Default: `0` (off). */
  jitter?: number;
  /** Standard deviation of one factor per record and channel, drawn from N(1, σ²), that multiplies the channel. Default: `0` (off). */
  scale?: number;
  /**
   * Magnitude warping: standard deviation of the knots (drawn from N(1, σ²)) of a smooth curve,
   * one per channel, that multiplies the series. Default: `0` (off).
   */
  magnitudeWarp?: number;
  /**
   * Time warping: standard deviation of the knots (N(1, σ²)) of a smooth speed curve; the series
   * is resampled along it, so parts of it run faster and others slower, same length. Default: `0` (off).
   */
  timeWarp?: number;
  /** Interior knots of the magnitude and time warping curves. Default: `4`. */
  knots?: number;
  /**
   * Window slicing: share of the series, in (0, 1], kept by a crop at a random position that is
   * then stretched back to the full length. Default: `1` (off).
   */
  windowSlice?: number;
  /**
   * Window warping: share of the series, in [0, 1), in a window at a random position that is
   * played at half or double speed; the whole is resampled back to its length. Default: `0` (off).
   */
  windowWarp?: number;
  /** Probability, in [0, 1], that a record is augmented at all (else it is passed through unchanged). Default: `1`. */
  probability?: number;
}

export const defaultAugmentOptions: Required<AugmentOptions> = {
  jitter: 0,
  scale: 0,
  magnitudeWarp: 0,
  timeWarp: 0,
  knots: 4,
  windowSlice: 1,
  windowWarp: 0,
  probability: 1,
};

/** Resolves and checks `options` (`AUGMENT_BAD_OPTION` names the option, its value and the range). */
export function resolveAugmentOptions(options: AugmentOptions = {}): Required<AugmentOptions> {
  const o = { ...defaultAugmentOptions, ...options };
  const check = (field: keyof AugmentOptions, ok: boolean, expected: string) => {
    if (!ok) throw new MetaseriesError('AUGMENT_BAD_OPTION', `augmentation option ${field} is out of range`, { field, value: o[field], expected });
  };
  for (const k of ['jitter', 'scale', 'magnitudeWarp', 'timeWarp'] as const) check(k, Number.isFinite(o[k]) && o[k] >= 0, 'a number >= 0');
  check('knots', Number.isInteger(o.knots) && o.knots >= 1, 'an integer >= 1');
  check('windowSlice', o.windowSlice > 0 && o.windowSlice <= 1, 'a share in (0, 1]');
  check('windowWarp', o.windowWarp >= 0 && o.windowWarp < 1, 'a share in [0, 1)');
  check('probability', o.probability >= 0 && o.probability <= 1, 'a probability in [0, 1]');
  return o;
}

/** True when `options` changes anything (some transform is on and the probability is above 0). */
export function augmentsAnything(options: AugmentOptions = {}): boolean {
  const o = resolveAugmentOptions(options);
  const on = o.jitter > 0 || o.scale > 0 || o.magnitudeWarp > 0 || o.timeWarp > 0 || o.windowSlice < 1 || o.windowWarp > 0;
  return on && o.probability > 0;
}

/**
 * Values at `n` evenly spaced points of a natural cubic spline through `knots` evenly spaced
 * values (the first at point 0, the last at point n - 1).
 */
export function splineCurve(knots: readonly number[], n: number): Float64Array {
  const k = knots.length;
  const out = new Float64Array(n);
  if (k === 1 || n === 1) return out.fill(knots[0] ?? 1);
  // second derivatives of a natural spline on unit knot spacing (tridiagonal solve)
  const m = new Float64Array(k);
  if (k > 2) {
    const c = new Float64Array(k);
    const d = new Float64Array(k);
    for (let i = 1; i < k - 1; i++) {
      const rhs = 6 * (knots[i + 1]! - 2 * knots[i]! + knots[i - 1]!);
      const denom = 4 - (i > 1 ? c[i - 1]! : 0);
      c[i] = 1 / denom;
      d[i] = (rhs - (i > 1 ? d[i - 1]! : 0)) / denom;
    }
    for (let i = k - 2; i >= 1; i--) m[i] = d[i]! - c[i]! * (i < k - 2 ? m[i + 1]! : 0);
  }
  for (let j = 0; j < n; j++) {
    const x = (j / (n - 1)) * (k - 1);
    const i = Math.min(k - 2, Math.floor(x));
    const t = x - i;
    const a = knots[i]!;
    const b = knots[i + 1]!;
    out[j] = (1 - t) * a + t * b + (((1 - t) ** 3 - (1 - t)) * m[i]! + (t ** 3 - t) * m[i + 1]!) / 6;
  }
  return out;
}

function randomCurve(rng: Rng, sigma: number, knots: number, n: number): Float64Array {
  return splineCurve(Array.from({ length: knots + 2 }, () => 1 + sigma * rng.normal()), n);
}

/** `pos[t]` of the composed map, looked up at fractional position `p` (linear). */
function lookup(pos: Float64Array, p: number): number {
  const last = pos.length - 1;
  if (p <= 0) return pos[0]!;
  if (p >= last) return pos[last]!;
  const i = Math.floor(p);
  const f = p - i;
  return pos[i]! + f * (pos[i + 1]! - pos[i]!);
}

/** The source position of each of `L` steps, for the time transforms that are on (identity when none is). */
function timeMap(L: number, o: Required<AugmentOptions>, rng: Rng): Float64Array | null {
  if (L < 2 || (o.windowSlice >= 1 && o.windowWarp <= 0 && o.timeWarp <= 0)) return null;
  let pos = Float64Array.from({ length: L }, (_, t) => t);
  const compose = (stage: (t: number) => number) => {
    const prev = pos;
    pos = Float64Array.from({ length: L }, (_, t) => lookup(prev, stage(t)));
  };
  if (o.windowSlice < 1) {
    const w = Math.max(2, Math.round(o.windowSlice * L));
    const start = rng.next() * (L - w);
    compose((t) => start + (t * (w - 1)) / (L - 1));
  }
  if (o.windowWarp > 0) {
    const w = Math.max(1, Math.round(o.windowWarp * L));
    const start = rng.next() * (L - w);
    const speed = rng.next() < 0.5 ? 0.5 : 2;
    // the window lasts w / speed steps in the warped series; squeeze that back to L steps
    const warpedLength = L - w + w / speed;
    compose((t) => {
      const u = (t * (warpedLength - 1)) / (L - 1);
      if (u < start) return u;
      if (u < start + w / speed) return start + (u - start) * speed;
      return u - w / speed + w;
    });
  }
  if (o.timeWarp > 0) {
    const speed = randomCurve(rng, o.timeWarp, o.knots, L);
    const cum = new Float64Array(L);
    for (let t = 1; t < L; t++) cum[t] = cum[t - 1]! + Math.max(0.05, speed[t - 1]!);
    const s = (L - 1) / cum[L - 1]!;
    compose((t) => cum[t]! * s);
  }
  return pos;
}

/** Linear resampling of one channel at positions `pos`; a missing neighbour gives the nearer one's value. */
function resampleValues(v: Float32Array, pos: Float64Array): Float32Array {
  const out = new Float32Array(pos.length);
  const last = v.length - 1;
  for (let t = 0; t < pos.length; t++) {
    const p = Math.min(last, Math.max(0, pos[t]!));
    const i = Math.floor(p);
    const f = p - i;
    const a = v[i]!;
    const b = v[Math.min(last, i + 1)]!;
    if (Number.isNaN(a) || Number.isNaN(b)) out[t] = f < 0.5 ? a : b;
    else out[t] = a + f * (b - a);
  }
  return out;
}

/** Context on the new grid: the value and mask of the nearest source step. */
function resampleAligned(a: AlignedContext, pos: Float64Array): AlignedContext {
  const last = Math.max(0, pos.length - 1);
  const idx = Array.from(pos, (p) => Math.min(last, Math.max(0, Math.round(p))));
  const out: AlignedContext = { values: {}, mask: {} };
  for (const [k, vals] of Object.entries(a.values)) out.values[k] = idx.map((i) => vals[i] as ContextValue);
  for (const [k, m] of Object.entries(a.mask)) out.mask[k] = Uint8Array.from(idx, (i) => m[i]!);
  return out;
}

/**
 * An augmented copy of `record` (see {@link AugmentOptions}); the input is never changed. Missing
 * values stay missing; `times` stay the record's (the grid is unchanged, what is on it moves);
 * context aligned to the steps moves with them (nearest step). Draws from `rng` only.
 */
export function augmentRecord(record: SeriesRecord, options: AugmentOptions, rng: Rng): SeriesRecord {
  return augmentResolved(record, resolveAugmentOptions(options), rng);
}

function augmentResolved(record: SeriesRecord, o: Required<AugmentOptions>, rng: Rng): SeriesRecord {
  if (rng.next() >= o.probability) return record;
  const L = record.values[0]?.length ?? 0;
  const pos = timeMap(L, o, rng);
  const values = record.values.map((ch) => {
    const v = pos && ch.length === L ? resampleValues(ch, pos) : Float32Array.from(ch);
    const factor = o.scale > 0 ? 1 + o.scale * rng.normal() : 1;
    const curve = o.magnitudeWarp > 0 ? randomCurve(rng, o.magnitudeWarp, o.knots, v.length) : null;
    for (let t = 0; t < v.length; t++) {
      if (Number.isNaN(v[t]!)) continue;
      let x = v[t]! * factor;
      if (curve) x *= curve[t]!;
      if (o.jitter > 0) x += o.jitter * rng.normal();
      v[t] = x;
    }
    return v;
  });
  const out: SeriesRecord = { ...record, values };
  if (pos && record.alignedContext) out.alignedContext = resampleAligned(record.alignedContext, pos);
  return out;
}

/** {@link augmentRecord} over `records`, one after another from the same `rng`. */
export function augmentRecords(records: readonly SeriesRecord[], options: AugmentOptions, rng: Rng): SeriesRecord[] {
  const o = resolveAugmentOptions(options);
  return records.map((r) => augmentResolved(r, o, rng));
}
