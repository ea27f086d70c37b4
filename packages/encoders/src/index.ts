export type { EncodedSchema, EncodedInputSpec, EncodedFieldInfo } from './encoded-schema.js';
