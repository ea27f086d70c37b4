/*
 * The encoders → fusion contract, as @metaseries/encoders defines it in src/encoded-schema.ts.
 * Mirrored here (type-only, structurally identical) until the encoders package exports it from its
 * index; then this file becomes a re-export.
 */
import type { Task, MetadataKind, ContextKind } from '@metaseries/core';

/**
 * One model input, as the encoders package lays them out. Fusion's `buildModel` creates one
 * `tf.input` per spec, in this order, and the pipeline feeds batches keyed by `name`.
 */
export interface EncodedInputSpec {
  /** Input name, stable and unique: `series`, `mask`, `meta_<field>`, `ctx_<field>`, `ctx_numeric`. */
  name: string;
  /** Shape without the batch dimension; `null` is the (variable) time axis. */
  shape: Array<number | null>;
  dtype: 'float32' | 'int32';
  /**
   * - `series`: `[T, C]` float series values (normalised, NaN replaced by 0).
   * - `mask`: `[T]` 1 for real steps, 0 for padding (and for steps with every channel missing).
   * - `metadata`: one static metadata field's preprocessed values.
   * - `context`: one time-varying context field's per-step values.
   */
  role: 'series' | 'mask' | 'metadata' | 'context';
  /** The schema field this input carries (metadata and context roles). */
  field?: string;
}

/** What one metadata or context field turns into inside the model. */
export interface EncodedFieldInfo {
  /** Field name as in the dataset schema. */
  name: string;
  kind: MetadataKind | ContextKind;
  /** Static metadata (one vector per record) or time-varying context (one vector per step). */
  scope: 'static' | 'context';
  /** Width of the vector this field's encoder layer outputs. */
  width: number;
  /** Names of the model inputs this field reads. */
  inputs: string[];
  /** For categorical-like fields: vocabulary size including the unknown and missing buckets. */
  cardinality?: number;
}

/**
 * The fitted layout of a model's inputs: what `MetadataEncoder.fit` produces and what fusion's
 * `buildModel` consumes. Plain JSON.
 */
export interface EncodedSchema {
  /** Number of series channels (plus derived channels such as time-since-last-observation). */
  channels: number;
  /** Fixed number of time steps, or `null` when batches may differ in length. */
  timeSteps: number | null;
  /** Every model input, in model order. */
  inputs: EncodedInputSpec[];
  /** Every metadata and context field, in schema order. */
  fields: EncodedFieldInfo[];
  /** Width of the concatenated static metadata vector (sum of static fields' widths). */
  metadataWidth: number;
  /** Width K of the per-step context vector (sum of context fields' widths). */
  contextWidth: number;
  task: Task;
  /** Model output width: number of classes (1 for binary and regression). */
  outputs: number;
}
