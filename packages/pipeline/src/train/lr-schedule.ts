import type { LrScheduleConfig } from '../config/run-config.js';
import { PlateauTracker, type PlateauState } from './monitor.js';

/** State of an {@link LrSchedule}, plain JSON for checkpoints. */
export interface LrScheduleState {
  lr: number;
  plateau: PlateauState;
}

/**
 * The learning rate of each epoch: constant (`none`), cosine decay from the initial rate to
 * `minLearningRate` over the run (after `warmupEpochs` of linear warm-up), or reduce-on-plateau
 * (multiply by `factor` after `patience` epochs without improvement of `monitor`).
 */
export class LrSchedule {
  private readonly plateau: PlateauTracker;
  private lr: number;

  constructor(
    private readonly config: LrScheduleConfig,
    private readonly initial: number,
    private readonly epochs: number,
  ) {
    this.plateau = new PlateauTracker(config.monitor);
    this.lr = initial;
  }

  /** Learning rate for the 1-based `epoch`. */
  rateFor(epoch: number): number {
    const { type, warmupEpochs, minLearningRate } = this.config;
    if (warmupEpochs > 0 && epoch <= warmupEpochs) return (this.initial * epoch) / warmupEpochs;
    if (type === 'cosine') {
      const span = Math.max(1, this.epochs - warmupEpochs);
      const t = Math.min(1, (epoch - 1 - warmupEpochs) / span);
      return minLearningRate + 0.5 * (this.initial - minLearningRate) * (1 + Math.cos(Math.PI * t));
    }
    return this.lr;
  }

  /** Tells the schedule the validation metrics of `epoch` (reduce-on-plateau acts on them). */
  observe(epoch: number, metrics: Record<string, number>): void {
    if (this.config.type !== 'reduce-on-plateau') return;
    this.plateau.update(epoch, metrics);
    if (this.plateau.state.wait >= this.config.patience) {
      this.lr = Math.max(this.config.minLearningRate, this.lr * this.config.factor);
      this.plateau.state = { ...this.plateau.state, wait: 0 };
    }
  }

  toJSON(): LrScheduleState {
    return { lr: this.lr, plateau: this.plateau.state };
  }

  restore(state: LrScheduleState): void {
    this.lr = state.lr;
    this.plateau.state = state.plateau;
  }
}
