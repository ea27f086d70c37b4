import { createRng, type Rng } from '@metaseries/core';

/** A point estimate with a confidence interval. */
export interface Interval {
  value: number;
  low: number;
  high: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
}

/** Options of the bootstrap functions. */
export interface BootstrapOptions {
  /** Resamples. Default: `1000`. */
  resamples?: number;
  /** Confidence level. Default: `0.95`. */
  level?: number;
  /** Default: `42`. */
  seed?: number;
  rng?: Rng;
}

export const defaultBootstrapOptions = { resamples: 1000, level: 0.95, seed: 42 } as const;

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Percentile bootstrap interval of `statistic` over `n` records: resamples record indices with
 * replacement and recomputes the statistic (NaN resamples, e.g. one class missing, are skipped).
 */
export function bootstrapInterval(n: number, statistic: (indices: number[]) => number, options: BootstrapOptions = {}): Interval {
  const o = { ...defaultBootstrapOptions, ...options };
  const rng = o.rng ?? createRng(o.seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const value = statistic(all);
  const stats: number[] = [];
  for (let b = 0; b < o.resamples; b++) {
    const idx = Array.from({ length: n }, () => rng.int(n));
    const s = statistic(idx);
    if (Number.isFinite(s)) stats.push(s);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - o.level) / 2;
  return { value, low: percentile(stats, alpha), high: percentile(stats, 1 - alpha), level: o.level };
}

/** The result of comparing model B with model A on the same records. */
export interface PairedComparison {
  /** B − A, with its paired bootstrap interval. */
  difference: Interval;
  /** Share of resamples in which B is not better than A (one-sided bootstrap p). */
  pValue: number;
}

/**
 * Paired bootstrap of the difference of a metric between two models scored on the SAME records:
 * each resample draws record indices once and scores both models on them.
 */
export function pairedBootstrap(n: number, metricA: (indices: number[]) => number, metricB: (indices: number[]) => number, options: BootstrapOptions = {}): PairedComparison {
  const o = { ...defaultBootstrapOptions, ...options };
  const rng = o.rng ?? createRng(o.seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const diffs: number[] = [];
  let notBetter = 0;
  for (let b = 0; b < o.resamples; b++) {
    const idx = Array.from({ length: n }, () => rng.int(n));
    const d = metricB(idx) - metricA(idx);
    if (!Number.isFinite(d)) continue;
    diffs.push(d);
    if (d <= 0) notBetter++;
  }
  diffs.sort((a, b) => a - b);
  const alpha = (1 - o.level) / 2;
  return {
    difference: { value: metricB(all) - metricA(all), low: percentile(diffs, alpha), high: percentile(diffs, 1 - alpha), level: o.level },
    pValue: diffs.length ? notBetter / diffs.length : NaN,
  };
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * McNemar's test on paired correctness: `b` = records A got right and B wrong, `c` = the reverse.
 * Exact two-sided binomial p for b + c < 25, else the chi-squared statistic with continuity
 * correction.
 */
export function mcnemar(correctA: readonly boolean[], correctB: readonly boolean[]): { b: number; c: number; statistic: number; pValue: number; exact: boolean } {
  let b = 0;
  let c = 0;
  correctA.forEach((a, i) => {
    if (a && !correctB[i]) b++;
    else if (!a && correctB[i]) c++;
  });
  const n = b + c;
  if (n === 0) return { b, c, statistic: 0, pValue: 1, exact: true };
  if (n < 25) {
    const k = Math.min(b, c);
    let p = 0;
    for (let i = 0; i <= k; i++) p += Math.exp(logChoose(n, i) - n * Math.LN2);
    return { b, c, statistic: k, pValue: Math.min(1, 2 * p), exact: true };
  }
  const stat = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, statistic: stat, pValue: chiSquare1Sf(stat), exact: false };
}

/** Survival function of the chi-squared distribution with 1 degree of freedom: erfc(√(x/2)). */
function chiSquare1Sf(x: number): number {
  return erfc(Math.sqrt(x / 2));
}

function erfc(x: number): number {
  // Numerical Recipes' erfc (fractional error < 1.2e-7)
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
