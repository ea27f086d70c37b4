export { buildModel, trainingTargets, predictionOutputName, lossOutputIndexes, ensembleMemberOutputName, defaultBuildModelOptions, PROBABILITIES_OUTPUT, PREDICTION_OUTPUT, ATTENTION_OUTPUT } from './build-model.js';
export type { BuildModelOptions } from './build-model.js';

export { resolveModelConfig, defaultModelConfig, ENCODERS, FUSIONS } from './model-config.js';
export type {
  ModelConfig,
  ModelConfigInput,
  EncoderName,
  FusionName,
  RecurrentConfig,
  ConvolutionConfig,
  InceptionConfig,
  TransformerConfig,
  AttentionConfig,
  MiniRocketConfig,
} from './model-config.js';
export { ApplyMask } from './layers/apply-mask.js';
export type { ApplyMaskArgs } from './layers/apply-mask.js';
export { MaskedPooling } from './layers/masked-pooling.js';
export type { MaskedPoolingArgs, PoolingMode } from './layers/masked-pooling.js';
export { RepeatConcat } from './layers/repeat-concat.js';
export type { RepeatConcatArgs } from './layers/repeat-concat.js';
export { PositionalEncoding } from './layers/positional-encoding.js';
export type { PositionalEncodingArgs } from './layers/positional-encoding.js';
export { MultiHeadSelfAttention } from './layers/multi-head-self-attention.js';
export type { MultiHeadSelfAttentionArgs } from './layers/multi-head-self-attention.js';
export { MetadataAttentionPooling } from './layers/metadata-attention-pooling.js';
export type { MetadataAttentionPoolingArgs } from './layers/metadata-attention-pooling.js';
export { Film } from './layers/film.js';
export type { FilmArgs } from './layers/film.js';
export { MetadataGate } from './layers/metadata-gate.js';
export type { MetadataGateArgs } from './layers/metadata-gate.js';
export { FusedLstm, orthogonalRows } from './layers/fused-lstm.js';
export type { FusedLstmArgs } from './layers/fused-lstm.js';
export { FusedGru } from './layers/fused-gru.js';
export type { FusedGruArgs } from './layers/fused-gru.js';
export { exportOnnx, defaultExportOnnxOptions, ONNX_OPSET, ONNX_IR_VERSION, ONNX_CONVERTIBLE_LAYERS } from './onnx/export-onnx.js';
export type { ExportOnnxOptions } from './onnx/export-onnx.js';
export { adaptModel, adaptableLayers } from './adapt-model.js';
export { MiniRocketFeatures } from './minirocket/minirocket-features.js';
export type { MiniRocketFeaturesArgs } from './minirocket/minirocket-features.js';
