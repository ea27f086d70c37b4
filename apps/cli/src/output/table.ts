/** One column of a {@link renderTable} table. */
export interface TableColumn {
  /** Header text. */
  header: string;
  /** `right` for numbers, `left` for text. Default: `'left'`. */
  align?: 'left' | 'right';
}

/**
 * Renders rows as an aligned plain-text table: a header, a rule of dashes, then one line per
 * row, columns separated by two spaces. Cells are text already (format numbers before).
 */
export function renderTable(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        return c.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A metric value as a table cell: 3 decimals, `-` for missing or not a number. */
export function formatMetric(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

/**
 * A two-column `name  value` table of metrics, one row per metric, in the given order of
 * preference first and then the rest by name.
 */
export function renderMetricsTable(metrics: Record<string, number>, preferred: readonly string[] = METRIC_ORDER): string {
  const names = [...preferred.filter((m) => m in metrics), ...Object.keys(metrics).filter((m) => !preferred.includes(m)).sort()];
  return renderTable(
    [{ header: 'metric' }, { header: 'value', align: 'right' }],
    names.map((n) => [n, formatMetric(metrics[n])]),
  );
}

/** The order metrics are shown in, most read first. */
export const METRIC_ORDER = ['accuracy', 'balanced_accuracy', 'f1_macro', 'auroc', 'pr_auc', 'log_loss', 'loss', 'brier', 'ece', 'rmse', 'mae'];
