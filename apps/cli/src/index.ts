export { runCli } from './program.js';
export type { RunCliOptions, CommonOptions } from './program.js';
export { EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT } from './output/report-error.js';
export { renderTable, renderMetricsTable, formatMetric } from './output/table.js';
export type { TableColumn } from './output/table.js';
export { createProgressReporter } from './output/progress-reporter.js';
export type { ProgressReporter, ProgressReporterOptions } from './output/progress-reporter.js';
