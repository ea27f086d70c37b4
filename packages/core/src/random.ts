/** A function returning uniform numbers in [0, 1), like `Math.random` but seeded. */
export type RandomFn = () => number;

/**
 * A seeded random number generator (xoshiro128**, 128-bit state). Every function in metaseries
 * that draws random numbers takes an `Rng` or a `seed` in its options — nothing calls
 * `Math.random()` — so runs are reproducible.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[];
  /** An independent generator derived from this one's stream (for parallel or nested work). */
  fork(): Rng;
  /** A 32-bit integer seed drawn from this stream (e.g. for a tfjs initializer's `seed`). */
  seed(): number;
  /** `next` as a free function, for APIs that take `() => number`. */
  readonly random: RandomFn;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;
  readonly random: RandomFn = () => this.next();

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new TypeError(`seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 0x100000000));
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
  }

  private u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  next(): number {
    return this.u32() / 0x100000000;
  }

  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i]!;
      a[i] = a[j]!;
      a[j] = tmp;
    }
    return a;
  }

  fork(): Rng {
    return new Xoshiro128(this.u32() * 0x100000 + (this.u32() & 0xfffff));
  }

  seed(): number {
    return this.u32() & 0x7fffffff;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Creates a seeded generator. The same seed gives the same stream on every platform. */
export function createRng(seed: number): Rng {
  return new Xoshiro128(seed);
}

/** Accepts what users pass in options (`rng` or `seed`) and returns a generator. */
export function resolveRng(options: { rng?: Rng; seed?: number }, defaultSeed = 42): Rng {
  return options.rng ?? createRng(options.seed ?? defaultSeed);
}
