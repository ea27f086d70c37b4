import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '@metaseries/pipeline';
import { formatMetric } from './table.js';

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /** Stream to draw on. Default: `process.stderr`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Draw a progress bar (true) or print plain lines (false). Default: whether `stream` is a terminal. */
  bar?: boolean;
  /** Text put before every line, e.g. the strategy being trained. Default: `''`. */
  label?: string;
}

/** A progress listener that can be closed (stops a bar, ends the line). */
export interface ProgressReporter {
  /** Pass to pipeline's `fit(..., { onProgress })`. */
  onProgress: ProgressListener;
  /** Stops the bar. Safe to call more than once. */
  stop(): void;
}

const SHOWN = ['loss', 'val_loss', 'val_accuracy', 'val_auroc', 'val_rmse'];

function metricsText(metrics: Record<string, number>): string {
  return SHOWN.filter((k) => k in metrics)
    .map((k) => `${k} ${formatMetric(metrics[k], 4)}`)
    .join('  ');
}

function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  return seconds >= 90 ? `  eta ${Math.round(seconds / 60)}m` : `  eta ${Math.round(seconds)}s`;
}

/**
 * Turns pipeline's `ProgressEvent`s into output on stderr: on a terminal, one cli-progress bar
 * over all batches of all epochs with the latest metrics; elsewhere (a pipe, a CI log), one
 * plain line per phase and per epoch, never per batch.
 */
export function createProgressReporter(options: ProgressReporterOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const useBar = options.bar ?? stream.isTTY === true;
  const prefix = options.label ? `${options.label}: ` : '';
  const write = (line: string) => void stream.write(`${prefix}${line}\n`);
  let bar: cliProgress.SingleBar | null = null;
  let lastMetrics: Record<string, number> = {};

  const stop = () => {
    if (bar) {
      bar.stop();
      bar = null;
    }
  };

  const onProgress = (e: ProgressEvent) => {
    if (!useBar) {
      if (e.type === 'phase') write(e.message);
      else if (e.type === 'epoch') write(`epoch ${e.epoch}/${e.epochs}  ${metricsText(e.metrics)}${eta(e.etaSeconds)}`);
      else if (e.type === 'done') write(`done after ${e.epoch} epochs  ${metricsText(prefixVal(e.metrics))}`);
      return;
    }
    if (e.type === 'phase') {
      // a phase before training (epoch 0) starts a new run: close the previous run's bar
      if (e.epoch === 0) stop();
      if (!bar) write(e.message);
      return;
    }
    if (e.type === 'done') {
      stop();
      write(`done after ${e.epoch} epochs  ${metricsText(prefixVal(e.metrics))}`);
      return;
    }
    const total = Math.max(1, e.epochs * Math.max(1, e.batches));
    if (!bar) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${prefix}{bar} {percentage}% | epoch {epoch}/{epochs} | {metrics} | eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { epoch: e.epoch, epochs: e.epochs, metrics: '' });
    }
    if (e.type === 'epoch') lastMetrics = { ...lastMetrics, ...e.metrics };
    else lastMetrics = { ...lastMetrics, loss: e.metrics.loss ?? lastMetrics.loss ?? NaN };
    const done = e.type === 'epoch' ? e.epoch * Math.max(1, e.batches) : (e.epoch - 1) * Math.max(1, e.batches) + e.batch;
    bar.setTotal(total);
    bar.update(Math.min(done, total), { epoch: e.epoch, epochs: e.epochs, metrics: metricsText(lastMetrics) });
  };
  return { onProgress, stop };
}

/** `done` carries validation metrics without the `val_` prefix; show them as such. */
function prefixVal(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k.startsWith('val_') ? k : `val_${k}`, v]));
}
