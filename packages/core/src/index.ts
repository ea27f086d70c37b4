export { MetaseriesError, isMetaseriesError, formatLocation } from './errors.js';
export type { ErrorDetails, ErrorLocation } from './errors.js';
export { createRng, resolveRng } from './random.js';
export type { Rng, RandomFn } from './random.js';
export {
  checkSchema,
  validateSchema,
  METADATA_KINDS,
  CONTEXT_KINDS,
  ALIGN_METHODS,
  TASKS,
} from './schema.js';
export type {
  DatasetSchema,
  MetadataFieldSchema,
  ContextFieldSchema,
  LabelSchema,
  MetadataKind,
  ContextKind,
  AlignMethod,
  Task,
  SchemaProblem,
} from './schema.js';
export type {
  SeriesRecord,
  Dataset,
  MetadataValue,
  ContextValue,
  LabelValue,
  ContextTrack,
  AlignedContext,
} from './dataset.js';
export type { TensorData, TensorDataMap } from './tensor-data.js';
export { tensorFromData } from './tensor-from-data.js';
export { quantileOfSorted } from './quantile.js';
export { installChainedOps } from './chained-ops.js';
export { initBackend, backendInfo, currentBackend } from './backend/init-backend.js';
export type { BackendName, InitBackendOptions } from './backend/init-backend.js';
export { registerMissingKernels } from './backend/kernels/register-kernels.js';
export type { KernelRegistration } from './backend/kernels/register-kernels.js';
export { lstmSequence, registerLstmSequenceKernels } from './ops/lstm-sequence.js';
export { gruSequence } from './ops/gru-sequence.js';
export type { GruRecurrentActivation } from './ops/gru-sequence.js';
