import type { MetricReport } from '../metrics/compute-metrics.js';
import type { AblationRow } from '../ablation/ablation.js';
import type { Interval } from '../stats/bootstrap.js';
import type { CrossValidationResult } from '../cross-validation/cross-validate.js';
import type { TemperatureState } from '../calibration/temperature-scaling.js';

/** One row of a comparison table (a model, fusion strategy or configuration on one dataset). */
export interface ComparisonRow {
  /** Dataset or scenario. */
  dataset: string;
  /** Model variant, e.g. the fusion strategy. */
  model: string;
  values: Record<string, number>;
  /** Bootstrap intervals of some of `values`. */
  intervals?: Record<string, Interval>;
  /** Training time in seconds. */
  seconds?: number;
}

/** Everything a report can show; every section is optional. */
export interface EvaluationReport {
  title: string;
  /** ISO time; default: when rendered. */
  createdAt?: string;
  /** Free key–value facts shown first (dataset, backend, seed, …). */
  summary?: Record<string, string | number>;
  /** Test-set metrics of one model (confusion matrix and curves come from its details). */
  metrics?: MetricReport;
  comparison?: ComparisonRow[];
  /** Metric the comparison and ablation are about. Default: `accuracy`. */
  primaryMetric?: string;
  ablation?: { dataset: string; metric: string; rows: AblationRow[] }[];
  importance?: { dataset: string; features: Array<{ feature: string; importance: number; sd: number }> }[];
  /** Per-epoch training history: `{ epoch, name: 'loss' | 'val_loss' | 'val_accuracy' …, value }`. */
  learningCurves?: Array<{ run: string; epoch: number; name: string; value: number }>;
  /** Attention weights of sample records: one row of weights over the time steps each. */
  attention?: Array<{ run: string; record: string; label?: string; weights: number[] }>;
  /** Cross-validation of one or more models on the same folds (out-of-fold predictions are not needed). */
  crossValidation?: Array<{ dataset?: string; model: string; result: Pick<CrossValidationResult, 'metric' | 'perFold' | 'mean' | 'sd' | 'pooled'> }>;
  /** Metrics per value of a categorical field, as `sliceMetrics` returns them. */
  slices?: Array<{ field: string; rows: Array<{ slice: string; n: number; values: Record<string, number> }> }>;
  /** The temperature fitted on validation data, if any. */
  calibration?: TemperatureState;
  /** Notes shown at the end (plain text). */
  notes?: string[];
}

/** The report as one JSON document. */
export function renderJsonReport(report: EvaluationReport): string {
  return JSON.stringify({ ...report, createdAt: report.createdAt ?? new Date().toISOString() }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export function formatNumber(v: number | undefined, digits = 3): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  return v.toFixed(digits);
}

function formatInterval(i: Interval | undefined, digits = 3): string {
  if (!i) return '—';
  return `${formatNumber(i.value, digits)} [${formatNumber(i.low, digits)}, ${formatNumber(i.high, digits)}]`;
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The report as Markdown (tables only; charts live in the HTML report). */
export function renderMarkdownReport(report: EvaluationReport): string {
  const out: string[] = [`# ${report.title}`, '', `_${report.createdAt ?? new Date().toISOString()}_`, ''];
  const metric = report.primaryMetric ?? 'accuracy';
  if (report.summary) out.push(table(['', ''], Object.entries(report.summary).map(([k, v]) => [k, String(v)])), '');
  if (report.metrics) {
    out.push('## Test metrics', '', table(['metric', 'value'], Object.entries(report.metrics.values).map(([k, v]) => [k, formatNumber(v)])), '');
    const labels = report.metrics.labelDetails?.perLabel;
    if (labels) {
      const names = report.metrics.classes ?? labels.map((_, i) => String(i));
      out.push(
        '## Per label',
        '',
        table(['label', 'support', 'precision', 'recall', 'f1', 'auroc', 'pr_auc', 'brier'], labels.map((l, i) => [names[i] ?? String(i), String(l.support), formatNumber(l.precision), formatNumber(l.recall), formatNumber(l.f1), formatNumber(l.auroc), formatNumber(l.pr_auc), formatNumber(l.brier)])),
        '',
      );
    }
  }
  if (report.calibration) {
    const c = report.calibration;
    out.push('## Calibration', '', table(['temperature', 'validation NLL before', 'after'], [[formatNumber(c.temperature), formatNumber(c.nllBefore), formatNumber(c.nllAfter)]]), '');
  }
  if (report.comparison?.length) {
    const names = [...new Set(report.comparison.flatMap((r) => Object.keys(r.values)))].filter((k) => ['accuracy', 'balanced_accuracy', 'f1_macro', 'auroc', 'log_loss', 'rmse', 'mae'].includes(k));
    out.push(
      '## Comparison',
      '',
      table(
        ['dataset', 'model', ...names.map((n) => (n === metric && report.comparison!.some((r) => r.intervals?.[n]) ? `${n} [95% CI]` : n)), 'seconds'],
        report.comparison.map((r) => [r.dataset, r.model, ...names.map((n) => (r.intervals?.[n] ? formatInterval(r.intervals[n]) : formatNumber(r.values[n]))), r.seconds === undefined ? '—' : r.seconds.toFixed(1)]),
      ),
      '',
    );
  }
  for (const a of report.ablation ?? []) {
    out.push(
      `## What the metadata is worth: ${a.dataset}`,
      '',
      table(
        ['variant', `${a.metric} [95% CI]`, 'vs series only [95% CI]', 'p', 'vs all metadata [95% CI]'],
        a.rows.map((r) => [r.variant, formatInterval(r.metric), formatInterval(r.versusSeriesOnly?.difference), formatNumber(r.versusSeriesOnly?.pValue), formatInterval(r.versusAll?.difference)]),
      ),
      '',
    );
  }
  if (report.crossValidation?.length) {
    out.push(
      '## Cross-validation',
      '',
      table(
        ['dataset', 'model', 'metric', 'folds', 'per fold', 'mean ± sd', 'pooled [95% CI]'],
        report.crossValidation.map((c) => [
          c.dataset ?? '—',
          c.model,
          c.result.metric,
          String(c.result.perFold.length),
          c.result.perFold.map((f) => formatNumber(f.values[c.result.metric])).join(' '),
          `${formatNumber(c.result.mean)} ± ${formatNumber(c.result.sd)}`,
          formatInterval(c.result.pooled),
        ]),
      ),
      '',
    );
  }
  for (const sl of report.slices ?? []) {
    const names = [...new Set(sl.rows.flatMap((r) => Object.keys(r.values)))].filter((k) => [metric, 'accuracy', 'f1_macro', 'auroc', 'rmse', 'mae'].includes(k));
    out.push(`## By ${sl.field}`, '', table(['value', 'n', ...names], sl.rows.map((r) => [r.slice, String(r.n), ...names.map((k) => formatNumber(r.values[k]))])), '');
  }
  for (const imp of report.importance ?? []) {
    out.push(`## Permutation importance: ${imp.dataset}`, '', table(['feature', 'importance', 'sd'], imp.features.map((f) => [f.feature, formatNumber(f.importance), formatNumber(f.sd)])), '');
  }
  for (const n of report.notes ?? []) out.push(`- ${n}`);
  return out.join('\n') + '\n';
}
