export { parseRunConfig, loadRunConfig, defaultRunConfig } from './config/run-config.js';
export type {
  RunConfig,
  RunConfigInput,
  ParseRunConfigOptions,
  DataConfig,
  DataSourcesConfig,
  SeriesSourceConfig,
  MetadataSourceConfig,
  MetadataFieldConfig,
  ContextSourceConfig,
  ContextFieldConfig,
  LabelSourceConfig,
  ScenarioSourceConfig,
  ModelSectionConfig,
  SplitConfig,
  TrainConfig,
  EarlyStoppingConfig,
  LrScheduleConfig,
  MonitorMetric,
} from './config/run-config.js';
export type { ConfigProblem } from './config/config-problems.js';
export { parseDuration } from './config/duration.js';
