import { quantileOfSorted, type Rng } from '@metaseries/core';

/**
 * The fixed parts of MiniRocket (Dempster, Schmidt & Webb 2021, "MiniRocket: a very fast (almost)
 * deterministic transform for time series classification"), as in its reference implementation
 * (`minirocket.py`, `minirocket_multivariate.py`): 84 kernels of length 9 whose weights are −1
 * except three that are 2, a set of dilations spread exponentially up to the series length, and
 * a bias per feature drawn as a quantile of one training example's convolution output.
 */

/** Length of every MiniRocket kernel. */
export const KERNEL_LENGTH = 9;

/** The 84 kernels: the three positions (of 9) whose weight is 2, the others being −1. */
export const KERNEL_INDICES: readonly (readonly [number, number, number])[] = (() => {
  const out: [number, number, number][] = [];
  for (let a = 0; a < KERNEL_LENGTH; a++)
    for (let b = a + 1; b < KERNEL_LENGTH; b++)
      for (let c = b + 1; c < KERNEL_LENGTH; c++) out.push([a, b, c]);
  return out;
})();

/** Number of MiniRocket kernels (84). */
export const KERNEL_COUNT = KERNEL_INDICES.length;

/** Weight of tap `j` (0..8) of kernel `k`: 2 at its three positions, −1 elsewhere (they sum to 0). */
export function kernelWeight(k: number, j: number): number {
  return KERNEL_INDICES[k]!.includes(j) ? 2 : -1;
}

/** Dilations and how many features (biases) each gives per kernel. */
export interface MiniRocketDilations {
  dilations: number[];
  featuresPerDilation: number[];
}

/**
 * `_fit_dilations` of the reference: `maxDilationsPerKernel` dilations `2^e`, `e` evenly spaced
 * in `[0, log2((length − 1) / 8)]`, rounded down and deduplicated (a repeated one counts more
 * features); `floor(numFeatures / 84)` features per kernel spread over them.
 */
export function fitDilations(
  length: number,
  numFeatures: number,
  maxDilationsPerKernel: number,
): MiniRocketDilations {
  const perKernel = Math.floor(numFeatures / KERNEL_COUNT);
  const trueMax = Math.min(perKernel, maxDilationsPerKernel);
  const multiplier = perKernel / trueMax;
  const maxExponent = Math.log2(Math.max(1, length - 1) / (KERNEL_LENGTH - 1));
  const counts = new Map<number, number>();
  for (let i = 0; i < trueMax; i++) {
    const e = trueMax === 1 ? 0 : (maxExponent * i) / (trueMax - 1);
    // numpy's logspace(...).astype(int32) truncates; a negative exponent (a series shorter than 9) gives 0 → 1
    const d = Math.max(1, Math.trunc(2 ** e + 1e-9));
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const dilations = [...counts.keys()].sort((a, b) => a - b);
  const featuresPerDilation = dilations.map((d) => Math.trunc(counts.get(d)! * multiplier));
  let remainder = perKernel - featuresPerDilation.reduce((s, n) => s + n, 0);
  for (let i = 0; remainder > 0; i = (i + 1) % featuresPerDilation.length, remainder--)
    featuresPerDilation[i]!++;
  return { dilations, featuresPerDilation };
}

/** `_quantiles` of the reference: the fractional parts of `i·φ`, i = 1..n (a low-discrepancy sequence in (0, 1)). */
export function featureQuantiles(n: number): Float64Array {
  const phi = (Math.sqrt(5) + 1) / 2;
  return Float64Array.from({ length: n }, (_, i) => ((i + 1) * phi) % 1);
}

/**
 * Which channels each (dilation, kernel) combination sums (`minirocket_multivariate.py`):
 * `floor(2^u)` channels, `u` uniform in `[0, log2(min(C, 9) + 1))`, drawn without replacement.
 * Returns a `[combinations × channels]` 0/1 mask, combination `dilationIndex · 84 + kernel`.
 * With one channel every combination reads it (and draws nothing from `rng`).
 */
export function drawChannelMask(combinations: number, channels: number, rng: Rng): Float32Array {
  const mask = new Float32Array(combinations * channels);
  if (channels === 1) return mask.fill(1);
  const maxExponent = Math.log2(Math.min(channels, KERNEL_LENGTH) + 1);
  for (let i = 0; i < combinations; i++) {
    const count = Math.min(channels, Math.max(1, Math.floor(2 ** (rng.next() * maxExponent))));
    const order = rng.shuffle(Array.from({ length: channels }, (_, c) => c));
    for (const c of order.slice(0, count)) mask[i * channels + c] = 1;
  }
  return mask;
}

/**
 * The convolution output of one kernel at one dilation over one example's real steps
 * (`[T, C]` row-major, the first `length` steps real), the channels in `channelMask` summed;
 * steps outside the series read zero ("same" padding of `4 · dilation` each side).
 */
export function convolveExample(
  x: Float32Array,
  channels: number,
  length: number,
  kernel: number,
  dilation: number,
  channelMask: Float32Array,
  maskOffset: number,
): Float64Array {
  const summed = new Float64Array(length);
  for (let t = 0; t < length; t++) {
    let s = 0;
    for (let c = 0; c < channels; c++) if (channelMask[maskOffset + c]) s += x[t * channels + c]!;
    summed[t] = s;
  }
  const out = new Float64Array(length);
  const half = (KERNEL_LENGTH - 1) / 2;
  for (let j = 0; j < KERNEL_LENGTH; j++) {
    const w = kernelWeight(kernel, j);
    const shift = (j - half) * dilation;
    const from = Math.max(0, -shift);
    const to = Math.min(length, length - shift);
    for (let t = from; t < to; t++) out[t] += w * summed[t + shift]!;
  }
  return out;
}

/** Each record's real length in a `[rows, steps]` mask: one past its last nonzero step (0 for none). */
export function realLengths(mask: ArrayLike<number>, rows: number, steps: number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let len = 0;
    for (let t = 0; t < steps; t++) if (mask[r * steps + t]) len = t + 1;
    return len;
  });
}

/** Training series as MiniRocket's fitting reads them: `[N, T, C]` row-major and each example's real length. */
export interface MiniRocketExamples {
  x: Float32Array;
  count: number;
  timeSteps: number;
  channels: number;
  lengths: ArrayLike<number>;
}

/**
 * `_fit_biases` of the reference: for each dilation and kernel, one training example drawn by
 * `rng`, its convolution output, and that output's quantiles (one per feature) as the biases.
 * Returns the biases in feature order (dilation, then kernel, then the dilation's features).
 */
export function fitBiases(
  examples: MiniRocketExamples,
  dil: MiniRocketDilations,
  channelMask: Float32Array,
  rng: Rng,
): Float32Array {
  const { x, count, timeSteps, channels, lengths } = examples;
  const perKernel = dil.featuresPerDilation.reduce((s, n) => s + n, 0);
  const quantiles = featureQuantiles(KERNEL_COUNT * perKernel);
  const biases = new Float32Array(KERNEL_COUNT * perKernel);
  let f = 0;
  dil.dilations.forEach((dilation, di) => {
    const n = dil.featuresPerDilation[di]!;
    for (let k = 0; k < KERNEL_COUNT; k++) {
      const e = rng.int(count);
      const example = x.subarray(e * timeSteps * channels, (e + 1) * timeSteps * channels);
      const conv = convolveExample(
        example,
        channels,
        lengths[e]!,
        k,
        dilation,
        channelMask,
        (di * KERNEL_COUNT + k) * channels,
      ).sort();
      for (let i = 0; i < n; i++, f++) biases[f] = quantileOfSorted(conv, quantiles[f]!);
    }
  });
  return biases;
}
