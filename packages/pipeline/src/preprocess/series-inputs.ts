import { MetaseriesError, type SeriesRecord, type TensorData } from '@metaseries/core';

/** Per-channel z-score statistics of the series, fitted on the training split. Plain JSON. */
export interface SeriesScalingState {
  format: 'metaseries.series-scaling';
  version: 1;
  /** Channel names in model order. */
  channels: string[];
  mean: number[];
  std: number[];
}

/** Fits per-channel mean and standard deviation over every finite value of `trainRecords`. */
export function fitSeriesScaling(trainRecords: readonly SeriesRecord[], channels: readonly string[]): SeriesScalingState {
  const C = channels.length;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  const n = new Float64Array(C);
  for (const r of trainRecords) {
    for (let c = 0; c < C; c++) {
      const v = r.values[c];
      if (!v) continue;
      for (let t = 0; t < v.length; t++) {
        const x = v[t]!;
        if (Number.isFinite(x)) {
          sum[c] += x;
          sq[c] += x * x;
          n[c]++;
        }
      }
    }
  }
  const mean = Array.from(sum, (s, c) => (n[c]! ? s / n[c]! : 0));
  const std = Array.from(sq, (s, c) => {
    const variance = n[c]! ? s / n[c]! - mean[c]! ** 2 : 0;
    const sd = Math.sqrt(Math.max(0, variance));
    return sd > 1e-12 ? sd : 1;
  });
  return { format: 'metaseries.series-scaling', version: 1, channels: channels.slice(), mean, std };
}

/** The longest series among `records`, in steps. */
export function longestSeries(records: readonly SeriesRecord[]): number {
  let T = 0;
  for (const r of records) for (const v of r.values) T = Math.max(T, v.length);
  return T;
}

/**
 * The `series` `[B,T,C]` (z-scored, missing values 0) and `mask` `[B,T]` (1 for a step with at
 * least one observed channel, 0 for padding and fully missing steps) model inputs. Series are
 * padded at the end or truncated to `timeSteps`. A record without every channel is an error
 * naming the record and the channel.
 */
export function seriesInputs(records: readonly SeriesRecord[], state: SeriesScalingState, timeSteps: number): { series: TensorData; mask: TensorData } {
  const B = records.length;
  const C = state.channels.length;
  const T = timeSteps;
  const series = new Float32Array(B * T * C);
  const mask = new Float32Array(B * T);
  records.forEach((r, b) => {
    for (let c = 0; c < C; c++) {
      const v = r.values?.[c];
      if (!v) {
        throw new MetaseriesError('PREDICT_MISSING_FIELD', `record ${r.id} has no values for channel ${state.channels[c]}`, {
          recordId: r.id,
          field: state.channels[c],
          expected: `${C} channels: ${state.channels.join(', ')}`,
        });
      }
      const n = Math.min(T, v.length);
      const m = state.mean[c]!;
      const s = state.std[c]!;
      for (let t = 0; t < n; t++) {
        const x = v[t]!;
        if (Number.isFinite(x)) {
          series[(b * T + t) * C + c] = (x - m) / s;
          mask[b * T + t] = 1;
        }
      }
    }
  });
  return { series: { dtype: 'float32', shape: [B, T, C], data: series }, mask: { dtype: 'float32', shape: [B, T], data: mask } };
}
