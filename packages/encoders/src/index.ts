export type { EncodedSchema, EncodedInputSpec, EncodedFieldInfo } from './encoded-schema.js';
export { defaultEmbeddingSize } from './embedding-size.js';
export { MetadataEncoder, defaultMetadataEncoderOptions, defaultTransformOptions, inputName } from './metadata-encoder.js';
export type { MetadataEncoderOptions, FieldEncoderOptions, TransformOptions, MetadataEncoderState, FieldState } from './metadata-encoder.js';
export { LabelEncoder, defaultLabelEncoderOptions } from './label-encoder.js';
export type { LabelEncoderState, LabelEncoderOptions } from './label-encoder.js';
export { applyMetadataEncoders, defaultApplyMetadataEncodersOptions } from './apply-metadata-encoders.js';
export type { ApplyMetadataEncodersOptions } from './apply-metadata-encoders.js';
export { BagEmbedding } from './layers/bag-embedding.js';
export type { BagEmbeddingArgs } from './layers/bag-embedding.js';
export {
  fitVocabulary,
  VocabularyLookup,
  MISSING_INDEX,
  UNKNOWN_INDEX,
  FIRST_CATEGORY_INDEX,
  defaultVocabularyOptions,
} from './preprocessors/categorical-vocabulary.js';
export type { VocabularyOptions, VocabularyState } from './preprocessors/categorical-vocabulary.js';
export { fitNumericScaler, applyNumericScaler, defaultNumericScalerOptions } from './preprocessors/numeric-scaler.js';
export type { NumericScalerOptions, NumericScalerState, NumericScaling } from './preprocessors/numeric-scaler.js';
export { tokenize, fnv1a, hashTokens, defaultTextHashingOptions } from './preprocessors/text-hashing.js';
export type { TextHashingOptions } from './preprocessors/text-hashing.js';
