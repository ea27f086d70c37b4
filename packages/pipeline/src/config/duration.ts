const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d|w)\s*$/;

/**
 * Parses a duration such as `250ms`, `30s`, `5m`, `2h`, `1.5d` or `1w` into milliseconds.
 * A plain number is returned unchanged (it is then in the series' own time unit).
 * Returns `undefined` when the text is not a duration.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const m = DURATION_RE.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
