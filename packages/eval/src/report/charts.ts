import type { EvaluationReport } from './report.js';

/** A chart to render: a title and a vega-lite spec (data inline). */
export interface ChartSpec {
  id: string;
  title: string;
  spec: Record<string, unknown>;
}

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', config: { font: 'sans-serif', view: { stroke: null } } };

/** The charts a report's contents call for. */
export function reportCharts(report: EvaluationReport): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const metric = report.primaryMetric ?? 'accuracy';
  if (report.comparison?.length) {
    const values = report.comparison.map((r) => ({
      dataset: r.dataset,
      model: r.model,
      value: r.values[metric] ?? null,
      low: r.intervals?.[metric]?.low ?? r.values[metric] ?? null,
      high: r.intervals?.[metric]?.high ?? r.values[metric] ?? null,
    }));
    charts.push({
      id: 'comparison',
      title: `${metric} by model and dataset (95% bootstrap interval)`,
      spec: {
        ...base,
        data: { values },
        facet: { row: { field: 'dataset', type: 'nominal', title: null } },
        spec: {
          width: 420,
          layer: [
            { mark: { type: 'bar', color: '#4c78a8' }, encoding: { y: { field: 'model', type: 'nominal', sort: null, title: null }, x: { field: 'value', type: 'quantitative', title: metric, scale: { zero: true } } } },
            { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'model', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
          ],
        },
      },
    });
  }
  for (const a of report.ablation ?? []) {
    charts.push({
      id: `ablation-${a.dataset}`,
      title: `What the metadata is worth — ${a.dataset} (${a.metric}, 95% interval)`,
      spec: {
        ...base,
        width: 420,
        data: { values: a.rows.map((r) => ({ variant: r.variant, value: r.metric.value, low: r.metric.low, high: r.metric.high })) },
        layer: [
          { mark: { type: 'bar', color: '#72b7b2' }, encoding: { y: { field: 'variant', type: 'nominal', sort: null, title: null }, x: { field: 'value', type: 'quantitative', title: a.metric } } },
          { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'variant', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
        ],
      },
    });
  }
  if (report.learningCurves?.length) {
    charts.push({
      id: 'learning-curves',
      title: 'Learning curves',
      spec: {
        ...base,
        data: { values: report.learningCurves },
        facet: { column: { field: 'name', type: 'nominal', title: null } },
        spec: { width: 220, height: 160, mark: { type: 'line', point: false }, encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', scale: { zero: false } }, color: { field: 'run', type: 'nominal' } } },
        resolve: { scale: { y: 'independent' } },
      },
    });
  }
  const d = report.metrics?.details;
  if (d) {
    const classes = report.metrics!.classes ?? d.confusionMatrix.map((_, i) => String(i));
    charts.push({
      id: 'confusion-matrix',
      title: 'Confusion matrix (test)',
      spec: {
        ...base,
        width: 40 * classes.length + 60,
        height: 40 * classes.length + 40,
        data: { values: d.confusionMatrix.flatMap((row, t) => row.map((count, p) => ({ true: classes[t], predicted: classes[p], count }))) },
        encoding: { x: { field: 'predicted', type: 'nominal', sort: classes, axis: { labelAngle: 0 } }, y: { field: 'true', type: 'nominal', sort: classes } },
        layer: [
          { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } } } },
          { mark: { type: 'text', fontSize: 12 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
        ],
      },
    });
    if (d.roc) {
      charts.push({
        id: 'roc',
        title: `ROC curve (AUROC ${report.metrics!.values.auroc?.toFixed(3)})`,
        spec: { ...base, width: 260, height: 260, data: { values: d.roc.map((p) => ({ fpr: p.fpr, tpr: p.tpr })) }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'fpr', type: 'quantitative', title: 'false-positive rate' }, y: { field: 'tpr', type: 'quantitative', title: 'true-positive rate' } } },
      });
    }
    if (d.pr) {
      charts.push({
        id: 'pr',
        title: `Precision–recall curve (PR-AUC ${report.metrics!.values.pr_auc?.toFixed(3)})`,
        spec: { ...base, width: 260, height: 260, data: { values: d.pr }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'recall', type: 'quantitative' }, y: { field: 'precision', type: 'quantitative' } } },
      });
    }
    charts.push({
      id: 'reliability',
      title: `Reliability diagram (ECE ${report.metrics!.values.ece?.toFixed(3)})`,
      spec: {
        ...base,
        width: 260,
        height: 260,
        layer: [
          { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'x', type: 'quantitative', title: 'confidence' }, y: { field: 'y', type: 'quantitative', title: 'accuracy' } } },
          { data: { values: d.reliability.filter((b) => b.count > 0) }, mark: { type: 'line', point: true }, encoding: { x: { field: 'confidence', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } } },
        ],
      },
    });
  }
  const perLabel = report.metrics?.labelDetails?.perLabel;
  if (perLabel) {
    const names = report.metrics!.classes ?? perLabel.map((_, i) => String(i));
    charts.push({
      id: 'per-label',
      title: 'F1 and AUROC per label',
      spec: {
        ...base,
        width: 360,
        data: { values: perLabel.flatMap((l, i) => [{ label: names[i], score: 'f1', value: l.f1 }, { label: names[i], score: 'auroc', value: Number.isNaN(l.auroc) ? null : l.auroc }]) },
        mark: 'bar',
        encoding: { y: { field: 'label', type: 'nominal', sort: null, title: null }, yOffset: { field: 'score', type: 'nominal' }, x: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] } }, color: { field: 'score', type: 'nominal' } },
      },
    });
  }
  if (report.crossValidation?.length) {
    const points = report.crossValidation.flatMap((c) => c.result.perFold.map((f) => ({ model: c.dataset ? `${c.dataset} · ${c.model}` : c.model, fold: f.fold, value: f.values[c.result.metric] ?? null })));
    const pooled = report.crossValidation.map((c) => ({ model: c.dataset ? `${c.dataset} · ${c.model}` : c.model, value: c.result.pooled.value, low: c.result.pooled.low, high: c.result.pooled.high }));
    const cvMetric = report.crossValidation[0]!.result.metric;
    charts.push({
      id: 'cross-validation',
      title: `Cross-validation: ${cvMetric} per fold (dots), pooled with 95% interval (bar)`,
      spec: {
        ...base,
        width: 420,
        layer: [
          { data: { values: pooled }, mark: { type: 'rule', color: '#222', strokeWidth: 2 }, encoding: { y: { field: 'model', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } }, x: { field: 'low', type: 'quantitative', title: cvMetric, scale: { zero: false } }, x2: { field: 'high' } } },
          { data: { values: pooled }, mark: { type: 'tick', color: '#222', thickness: 3 }, encoding: { y: { field: 'model', type: 'nominal', sort: null }, x: { field: 'value', type: 'quantitative' } } },
          { data: { values: points }, mark: { type: 'point', filled: true, color: '#e45756', opacity: 0.8 }, encoding: { y: { field: 'model', type: 'nominal', sort: null }, x: { field: 'value', type: 'quantitative' }, tooltip: { field: 'fold' } } },
        ],
      },
    });
  }
  for (const sl of report.slices ?? []) {
    charts.push({
      id: `slices-${sl.field}`,
      title: `${metric} by ${sl.field}`,
      spec: {
        ...base,
        width: 360,
        data: { values: sl.rows.map((r) => ({ slice: `${r.slice} (n=${r.n})`, value: r.values[metric] ?? null })) },
        mark: { type: 'bar', color: '#54a24b' },
        encoding: { y: { field: 'slice', type: 'nominal', sort: null, title: null }, x: { field: 'value', type: 'quantitative', title: metric } },
      },
    });
  }
  if (report.attention?.length) {
    charts.push({
      id: 'attention',
      title: 'Attention over time steps (sample records)',
      spec: {
        ...base,
        width: 480,
        data: { values: report.attention.flatMap((a) => a.weights.map((w, t) => ({ record: `${a.run} · ${a.record}${a.label ? ` (${a.label})` : ''}`, step: t, weight: w }))) },
        mark: 'rect',
        encoding: { x: { field: 'step', type: 'ordinal', axis: { labelOverlap: true } }, y: { field: 'record', type: 'nominal', title: null, axis: { labelLimit: 320 } }, color: { field: 'weight', type: 'quantitative', scale: { scheme: 'oranges' } } },
      },
    });
  }
  for (const imp of report.importance ?? []) {
    charts.push({
      id: `importance-${imp.dataset}`,
      title: `Permutation importance — ${imp.dataset}`,
      spec: { ...base, width: 360, data: { values: imp.features }, mark: { type: 'bar', color: '#f58518' }, encoding: { y: { field: 'feature', type: 'nominal', sort: '-x', title: null }, x: { field: 'importance', type: 'quantitative' } } },
    });
  }
  return charts;
}
