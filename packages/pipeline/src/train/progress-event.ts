/**
 * The one progress event of long work (fit, compare), shared by the CLI (bars or plain lines),
 * the server (SSE) and the kernel (a display updated in place).
 *
 * - `phase`: a stage begins (`message` says which: loading data, fitting preprocessing, …).
 * - `batch`: a training batch finished (`metrics.loss` is its loss).
 * - `epoch`: an epoch finished (`metrics` holds `loss`, `lr` and every `val_*` metric).
 * - `done`: the work finished (`metrics` holds the final validation metrics).
 */
export interface ProgressEvent {
  type: 'phase' | 'batch' | 'epoch' | 'done';
  /** 1-based epoch (0 before training starts). */
  epoch: number;
  /** Planned number of epochs. */
  epochs: number;
  /** 1-based batch within the epoch (0 outside batches). */
  batch: number;
  /** Batches per epoch (0 when unknown). */
  batches: number;
  /** Metrics known at this point, by snake_case name (`loss`, `val_loss`, `val_auroc`, `lr`, …). */
  metrics: Record<string, number>;
  /** Estimated seconds left for the planned epochs, `null` until one batch has been timed. */
  etaSeconds: number | null;
  /** What is happening, for a person. */
  message: string;
}

/** A listener of progress events. */
export type ProgressListener = (event: ProgressEvent) => void;
