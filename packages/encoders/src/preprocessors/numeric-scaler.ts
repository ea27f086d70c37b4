import { MetaseriesError, quantileOfSorted } from '@metaseries/core';

/** How a numeric field is scaled. */
export type NumericScaling = 'zscore' | 'minmax' | 'robust' | 'none';

/** Options of {@link fitNumericScaler}. */
export interface NumericScalerOptions {
  /** Scaling fitted on the training values. Default: `'zscore'`. */
  scaling?: NumericScaling;
  /** Apply `log1p` (sign-preserving: `sign(x)·log(1+|x|)`) before scaling, for heavy tails. Default: `false`. */
  log1p?: boolean;
  /** Clip scaled values to `[-clip, clip]` so an extreme value cannot dominate; `Infinity` (saved as `null`) turns clipping off. Default: `5`. */
  clip?: number;
  /** Emit a second column that is 1 where the value is missing (the value itself is then 0). Default: `true`. */
  missingIndicator?: boolean;
}

/** Defaults of {@link NumericScalerOptions}. */
export const defaultNumericScalerOptions: Required<NumericScalerOptions> = {
  scaling: 'zscore',
  log1p: false,
  clip: 5,
  missingIndicator: true,
};

/** A fitted numeric scaler: plain JSON. `scaled = clip((f(x) - center) / scale)`. */
export interface NumericScalerState extends Required<NumericScalerOptions> {
  center: number;
  scale: number;
  /** Share of missing values in the training data. */
  missingRate: number;
}

/** Text that means "missing" in a numeric column (case-insensitive). */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-']);

/**
 * The number in a metadata value, or `undefined` when it is missing (`null`, `NaN`, or text such
 * as `''`, `NA`, `NaN`, `null`, `?`). Flags count as 0/1. Throws `ENCODER_BAD_VALUE` for text
 * that is not a number.
 */
export function numericValue(value: unknown, field?: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' && MISSING_TOKENS.has(value.trim().toLowerCase())) return undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(n)) {
    if (typeof value === 'number') return undefined;
    throw new MetaseriesError('ENCODER_BAD_VALUE', 'a numeric field holds a value that is not a number', {
      field,
      value,
      expected: 'a number (or empty for missing)',
    });
  }
  return n;
}

function transformRaw(x: number, log1p: boolean): number {
  return log1p ? Math.sign(x) * Math.log1p(Math.abs(x)) : x;
}

/** Fits a scaler on training values (missing ones ignored). */
export function fitNumericScaler(values: Iterable<unknown>, options: NumericScalerOptions = {}, field?: string): NumericScalerState {
  const o = { ...defaultNumericScalerOptions, ...options };
  if (!(o.clip > 0)) {
    throw new MetaseriesError('ENCODER_BAD_OPTION', 'numeric clip must be a number > 0 (Infinity for no clipping)', { field: field ? `${field}.clip` : 'clip', value: o.clip, expected: '> 0' });
  }
  if (!['zscore', 'minmax', 'robust', 'none'].includes(o.scaling)) {
    throw new MetaseriesError('ENCODER_BAD_OPTION', 'unknown numeric scaling', { field: field ? `${field}.scaling` : 'scaling', value: o.scaling, expected: 'zscore | minmax | robust | none' });
  }
  const xs: number[] = [];
  let missing = 0;
  let total = 0;
  for (const v of values) {
    total++;
    const n = numericValue(v, field);
    if (n === undefined || !Number.isFinite(n)) missing++;
    else xs.push(transformRaw(n, o.log1p));
  }
  let center = 0;
  let scale = 1;
  if (xs.length > 0) {
    if (o.scaling === 'zscore') {
      center = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - center) ** 2, 0) / xs.length;
      scale = Math.sqrt(variance);
    } else if (o.scaling === 'minmax') {
      let lo = Infinity;
      let hi = -Infinity;
      for (const x of xs) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      center = lo;
      scale = hi - lo;
    } else if (o.scaling === 'robust') {
      const sorted = [...xs].sort((a, b) => a - b);
      center = quantileOfSorted(sorted, 0.5);
      scale = quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25);
    }
  }
  if (!(scale > 1e-12)) scale = 1; // a constant field scales to 0, not to NaN
  return { ...o, center, scale, missingRate: total ? missing / total : 0 };
}

/** Scales one value; `undefined` for missing. */
export function applyNumericScaler(state: NumericScalerState, value: unknown, field?: string): number | undefined {
  const n = numericValue(value, field);
  if (n === undefined || !Number.isFinite(n)) return undefined;
  const s = (transformRaw(n, state.log1p) - state.center) / state.scale;
  const clip = state.clip;
  return typeof clip === 'number' && Number.isFinite(clip) ? Math.max(-clip, Math.min(clip, s)) : s;
}
