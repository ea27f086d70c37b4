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
  NormaliseConfig,
  LabelSourceConfig,
  ScenarioSourceConfig,
  ModelSectionConfig,
  SplitConfig,
  TrainConfig,
  EarlyStoppingConfig,
  LrScheduleConfig,
  AugmentConfig,
  MonitorMetric,
} from './config/run-config.js';
export type { ConfigProblem } from './config/config-problems.js';
export { parseDuration } from './config/duration.js';
export { saveBundle, loadBundle, serializeBundle, PREPROCESSING_FILE, METRICS_FILE, ONNX_FILE } from './bundle/bundle.js';
export type { ModelBundle, SaveBundleOptions } from './bundle/bundle.js';
export { BUNDLE_FORMAT_VERSION, MANIFEST_FILE, readVerifiedBundleFiles } from './bundle/bundle-manifest.js';
export type { BundleManifest, BundleFileEntry, BundleFiles, VerifiedBundleFiles } from './bundle/bundle-manifest.js';
export { recoverBundleFolder, locateBundleFolder } from './bundle/atomic-bundle-folder.js';
export type { LocatedBundleFolder } from './bundle/atomic-bundle-folder.js';
export { trainModel, readCheckpoint, resolveThreads } from './train/training-loop.js';
export { GradientWorkers, shardSizes, MIN_SHARD_ROWS, AUTO_SHARD_ROWS, PARKED_WORKER_TTL_MS } from './train/data-parallel.js';
export type { TrainModelOptions, TrainingBatch, BatchSource, TrainingHistory, EpochMetrics, CheckpointOptions, TrainingCheckpoint } from './train/training-loop.js';
export type { ProgressEvent, ProgressListener } from './train/progress-event.js';
export { fit, scoreRecords, loadRunData, splitRunData } from './train/fit.js';
export type { FitOptions, FitResult, FitMetrics, RunDataSplit } from './train/fit.js';
export { predict, defaultPredictOptions, preprocessingOf } from './predict/predict.js';
export type { PredictOptions, Prediction } from './predict/predict.js';
export { OnnxPredictor, loadOnnxRuntime } from './predict/onnx-predictor.js';
export type { PredictorKind, OnnxOutputs } from './predict/onnx-predictor.js';
export { FittedPreprocessing, toModelConfig } from './preprocess/fitted-preprocessing.js';
export type { PreprocessingState } from './preprocess/fitted-preprocessing.js';
export { evaluate, defaultEvaluateOptions, scoreModel, metricValues } from './evaluate/evaluate.js';
export type { EvaluateOptions, EvaluationResult, ScoredRecords } from './evaluate/evaluate.js';
export { compare } from './evaluate/compare.js';
export type { CompareOptions, CompareResult } from './evaluate/compare.js';
export { predictFile } from './predict/predict-file.js';
export type { PredictFileOptions, PredictFileResult } from './predict/predict-file.js';
