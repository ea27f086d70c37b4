import { MetaseriesError } from '@metaseries/core';

/** A fitted temperature: plain JSON, stored in a bundle. */
export interface TemperatureState {
  temperature: number;
  /** Validation negative log-likelihood before and after. */
  nllBefore: number;
  nllAfter: number;
}

function softmaxRow(logits: readonly number[], t: number): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp((l - m) / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Logits from probabilities (log p; binary probabilities become the two-class form). */
export function logitsFromProbabilities(p: readonly (readonly number[])[]): number[][] {
  return p.map((row) => (row.length === 1 ? [0, Math.log(row[0]! / (1 - row[0]!))] : row.map((v) => Math.log(Math.max(v, 1e-12)))));
}

function nll(logits: readonly (readonly number[])[], y: readonly number[], t: number): number {
  let s = 0;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i]!;
    let m = -Infinity;
    for (const v of l) if (v > m) m = v;
    let z = 0;
    for (const v of l) z += Math.exp((v - m) / t);
    // −log softmax(l / t)[y], floored at 1e-15 like the probability it stands for
    s += Math.min(-Math.log(1e-15), Math.log(z) - (l[y[i]!]! - m) / t);
  }
  return s / logits.length;
}

/**
 * Fits one temperature T > 0 that minimises the validation negative log-likelihood of
 * softmax(logits / T) (Guo et al. 2017), by golden-section search on log T in [1/20, 20].
 */
export function fitTemperature(validationLogits: readonly (readonly number[])[], yTrue: readonly number[]): TemperatureState {
  if (validationLogits.length === 0) throw new MetaseriesError('EVAL_EMPTY', 'temperature scaling needs validation predictions', {});
  if (yTrue.length !== validationLogits.length) {
    throw new MetaseriesError('EVAL_SHAPE_MISMATCH', 'temperature scaling needs one true class per validation row', { value: yTrue.length, expected: String(validationLogits.length) });
  }
  yTrue.forEach((t, i) => {
    const k = validationLogits[i]!.length;
    if (!(Number.isInteger(t) && t >= 0 && t < k)) throw new MetaseriesError('EVAL_BAD_LABEL', 'a true class index is outside the logits', { value: t, expected: `0..${k - 1}` });
  });
  const f = (lt: number) => nll(validationLogits, yTrue, Math.exp(lt));
  let a = Math.log(1 / 20);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 60; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nllBefore: f(0), nllAfter: f(Math.log(temperature)) };
}

/** Applies a temperature to logits and returns calibrated probabilities. */
export function applyTemperature(logits: readonly (readonly number[])[], state: Pick<TemperatureState, 'temperature'>): number[][] {
  return logits.map((l) => softmaxRow(l, state.temperature));
}
