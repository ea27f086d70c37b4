import { MetaseriesError, type ContextTrack, type ContextValue } from '@metaseries/core';
import { checkSortedTimes } from './align-context.js';

/** How the context rows in one bin become one value. `last`/`first`/`count` work on any kind; the rest need numbers. */
export type ResampleAgg = 'last' | 'first' | 'mean' | 'min' | 'max' | 'sum' | 'count';

const present = (v: ContextValue | undefined): v is Exclude<ContextValue, null> => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v));

/**
 * Resamples a context track onto a sorted time `grid`. The value at grid point `g[k]`
 * aggregates the rows stamped in `(g[k-1], g[k]]` (`(-∞, g[0]]` for the first point): bins
 * look back only, so a resampled value never contains a row stamped after its grid time. Rows
 * with missing values are skipped; an empty bin is `null` (`count`: 0). Equal stamps keep their
 * row order (`last` takes the last of them, as `asof` alignment does). Two-pointer, O(rows + grid).
 */
export function resample(track: ContextTrack, grid: ArrayLike<number>, agg: ResampleAgg = 'last'): ContextTrack {
  checkSortedTimes(track.times);
  checkSortedTimes(grid, { recordId: 'grid' });
  const out: ContextTrack = { times: Float64Array.from(grid), values: {} };
  for (const [field, raw] of Object.entries(track.values)) {
    const values: ContextValue[] = new Array(grid.length).fill(null);
    let j = 0;
    for (let k = 0; k < grid.length; k++) {
      const bin: Array<Exclude<ContextValue, null>> = [];
      while (j < track.times.length && track.times[j]! <= grid[k]!) {
        if (present(raw[j])) bin.push(raw[j]!);
        j++;
      }
      if (agg === 'count') {
        values[k] = bin.length;
        continue;
      }
      if (bin.length === 0) continue;
      if (agg === 'last') values[k] = bin[bin.length - 1]!;
      else if (agg === 'first') values[k] = bin[0]!;
      else {
        const nums = bin.map((v) => {
          if (typeof v !== 'number') {
            throw new MetaseriesError('ALIGN_BAD_AGG', `${agg} needs numeric context values`, { field, value: v, expected: "a number, or agg 'last' | 'first' | 'count'" });
          }
          return v;
        });
        if (agg === 'mean') values[k] = nums.reduce((a, b) => a + b, 0) / nums.length;
        else if (agg === 'sum') values[k] = nums.reduce((a, b) => a + b, 0);
        else if (agg === 'min') values[k] = Math.min(...nums);
        else values[k] = Math.max(...nums);
      }
    }
    out.values[field] = values;
  }
  return out;
}
