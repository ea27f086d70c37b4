/**
 * Hands out the seeds of a model's initialisers one after another, so that one `seed` fixes
 * every weight. Each call returns a seed 10 above the last (custom layers use `seed + k`, k < 10).
 */
export class SeedSequence {
  private next_: number;

  constructor(seed: number) {
    this.next_ = Math.floor(seed) * 1000;
  }

  /** The next seed. */
  next(): number {
    const s = this.next_;
    this.next_ += 10;
    return s;
  }
}
