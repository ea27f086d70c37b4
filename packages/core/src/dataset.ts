import type { DatasetSchema } from './schema.js';

/** A static metadata value: text, number, flag, a set of tags, or missing (`null`). */
export type MetadataValue = string | number | boolean | string[] | null;
/** A context value at one context time stamp. */
export type ContextValue = string | number | boolean | null;
/** A label: class name, several class names (multilabel), a number (regression), or missing. */
export type LabelValue = string | string[] | number | null;

/** Time-varying metadata of one record, on its own time stamps (sorted ascending). */
export interface ContextTrack {
  /** Time stamps, same unit as the series times. */
  times: Float64Array;
  /** One array per context field, each as long as `times`. */
  values: Record<string, ContextValue[]>;
}

/**
 * Context carried onto the series grid by the data package: for each field one value per series
 * step and a mask (1 where a value was available within tolerance, 0 where it is missing).
 */
export interface AlignedContext {
  values: Record<string, ContextValue[]>;
  mask: Record<string, Uint8Array>;
}

/** One series with what is known about it. */
export interface SeriesRecord {
  id: string;
  /** One array per channel, each with one value per time step; `NaN` marks a missing value. */
  values: Float32Array[];
  /** Time stamps of the steps (irregular sampling allowed); absent means 0, 1, 2, … */
  times?: Float64Array;
  /** Static metadata by field name. */
  metadata: Record<string, MetadataValue>;
  /** Raw time-varying context, before alignment. */
  context?: ContextTrack;
  /** Context aligned to this record's steps (filled by the data package's alignment). */
  alignedContext?: AlignedContext;
  label?: LabelValue;
  /** Group for group-aware splits (patient, machine, engine). */
  group?: string;
}

/** A schema and its records. */
export interface Dataset {
  schema: DatasetSchema;
  records: SeriesRecord[];
}
