export { computeMetrics, METRIC_NAMES, higherIsBetter } from './metrics/compute-metrics.js';
export { metricScorer } from './metrics/metric-scorer.js';
export type { MetricReport, MetricName, ComputeMetricsOptions } from './metrics/compute-metrics.js';
export {
  classificationMetrics,
  multilabelMetrics,
  confusionMatrix,
  auroc,
  averagePrecision,
  rocCurve,
  prCurve,
  calibration,
} from './metrics/classification.js';
export type { ClassificationDetails, PerClass, LabelScores, MultilabelDetails } from './metrics/classification.js';
export { regressionMetrics, phm08Score } from './metrics/regression.js';
export { bootstrapInterval, pairedBootstrap, mcnemar, defaultBootstrapOptions } from './stats/bootstrap.js';
export type { Interval, BootstrapOptions, PairedComparison } from './stats/bootstrap.js';
export { ablationVariants, ablationTable, permutationImportance, sliceMetrics, crossValidationSummary } from './ablation/ablation.js';
export type { AblationVariant, AblationVariantsOptions, AblationRow, AblationOptions, VariantPredictions, PermutationOptions } from './ablation/ablation.js';
export { runAblation } from './ablation/run-ablation.js';
export type { RunAblationOptions, AblationResult } from './ablation/run-ablation.js';
export { permuteTensorBatch, CHANNEL_PREFIX } from './ablation/permute-tensor-batch.js';
export { crossValidate, compareCrossValidated, correctness, defaultCrossValidateOptions } from './cross-validation/cross-validate.js';
export type { Fold, FoldContext, Labels, Outputs, PredictFn, CrossValidateOptions, CrossValidationResult, CompareOptions, CrossValidatedComparison } from './cross-validation/cross-validate.js';
export { fitTemperature, applyTemperature, logitsFromProbabilities } from './calibration/temperature-scaling.js';
export type { TemperatureState } from './calibration/temperature-scaling.js';
export { renderJsonReport, renderMarkdownReport, formatNumber } from './report/report.js';
export type { EvaluationReport, ComparisonRow } from './report/report.js';
export { renderHtmlReport, renderChartSvg } from './report/render-html.js';
export { reportCharts } from './report/charts.js';
export type { ChartSpec } from './report/charts.js';
