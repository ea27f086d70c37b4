/**
 * A tensor's values as plain typed data, so that stages that must stay model-free (data,
 * encoders' preprocessors) can hand batches on without touching a tfjs backend.
 */
export interface TensorData {
  dtype: 'float32' | 'int32';
  /** Shape including the batch dimension. */
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A batch of model inputs by input name (e.g. `series`, `mask`, `meta_ward`). */
export type TensorDataMap = Record<string, TensorData>;
