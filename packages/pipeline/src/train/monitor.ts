import { higherIsBetter } from '@metaseries/eval';

/** State of a {@link PlateauTracker}, plain JSON for checkpoints. */
export interface PlateauState {
  best: number | null;
  bestEpoch: number;
  wait: number;
}

/**
 * Tracks the best value of a monitored metric and how many epochs passed without an
 * improvement larger than `minDelta`. Used by early stopping and by reduce-on-plateau.
 */
export class PlateauTracker {
  readonly monitor: string;
  readonly minDelta: number;
  private readonly higher: boolean;
  state: PlateauState = { best: null, bestEpoch: 0, wait: 0 };

  constructor(monitor: string, minDelta = 0) {
    this.monitor = monitor;
    this.minDelta = minDelta;
    this.higher = higherIsBetter(monitor);
  }

  /** Records `metrics` of `epoch`; returns true when the monitored value improved. A missing or NaN value never improves. */
  update(epoch: number, metrics: Record<string, number>): boolean {
    const v = metrics[this.monitor];
    const s = this.state;
    const improved =
      v !== undefined && Number.isFinite(v) && (s.best === null || (this.higher ? v > s.best + this.minDelta : v < s.best - this.minDelta));
    if (improved) this.state = { best: v!, bestEpoch: epoch, wait: 0 };
    else this.state = { ...s, wait: s.wait + 1 };
    return improved;
  }
}
