/**
 * The `q`-quantile (q in [0, 1]) of values sorted ascending, interpolated linearly between the
 * two nearest order statistics (numpy's default `quantile`, R's type 7); 0 for no values.
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
