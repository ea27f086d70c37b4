import fc from 'fast-check';
import { createRng, resolveRng } from './random.js';

describe('createRng', () => {
  it('gives the same golden stream for seed 42 on every platform', () => {
    const r = createRng(42);
    // xoshiro128** seeded through splitmix32; next() is an exact u32 / 2^32, so equality is exact.
    expect([r.next(), r.next(), r.next(), r.next()]).toEqual([
      0.6606157226487994, 0.12688010395504534, 0.11170196393504739, 0.8149394164793193,
    ]);
    const s = createRng(42);
    s.next();
    s.next();
    s.next();
    expect(s.int(10)).toBe(8);
    expect(s.int(1000)).toBe(79);
    expect(s.normal()).toBeCloseTo(2.6844637537546054, 12);
    expect(s.seed()).toBe(1112262688);
  });

  it('repeats the whole stream for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: 50 }, () => r.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        for (let i = 0; i < 20; i++) if (a.next() !== b.next()) return false;
        return true;
      }),
    );
  });

  it('forks a generator whose stream is independent of its parent', () => {
    const parent = createRng(42);
    const child = parent.fork();
    const p = Array.from({ length: 2000 }, () => parent.next());
    const c = Array.from({ length: 2000 }, () => child.next());
    expect(c).not.toEqual(p);
    // Drawing from the child does not move the parent: a fresh parent forked the same way agrees.
    const parent2 = createRng(42);
    parent2.fork();
    expect(parent2.next()).toBe(p[0]);
    // Independence: correlation of the two streams is near 0 (|r| < 4/sqrt(n)).
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    const mp = mean(p);
    const mc = mean(c);
    let cov = 0;
    let vp = 0;
    let vc = 0;
    for (let i = 0; i < p.length; i++) {
      cov += (p[i]! - mp) * (c[i]! - mc);
      vp += (p[i]! - mp) ** 2;
      vc += (c[i]! - mc) ** 2;
    }
    expect(Math.abs(cov / Math.sqrt(vp * vc))).toBeLessThan(4 / Math.sqrt(p.length));
    // Two forks in a row differ from each other.
    const r = createRng(3);
    expect(r.fork().next()).not.toBe(r.fork().next());
  });

  it('keeps next() in [0, 1) and int(n) in [0, n), hitting every value', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 50 }), (seed, n) => {
        const r = createRng(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 40 * n; i++) {
          const u = r.next();
          if (!(u >= 0 && u < 1)) return false;
          const k = r.int(n);
          if (!Number.isInteger(k) || k < 0 || k >= n) return false;
          seen.add(k);
        }
        return seen.size === n;
      }),
      { numRuns: 50 },
    );
    expect(() => createRng(1).int(0)).toThrow(RangeError);
    expect(() => createRng(1).int(2.5)).toThrow(RangeError);
    expect(() => createRng(Number.NaN)).toThrow(TypeError);
  });

  it('draws normals with mean 0 and sd 1 over 10k draws', () => {
    const r = createRng(42);
    const n = 10_000;
    const xs = Array.from({ length: n }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    // Standard errors: 0.01 for the mean, ~0.007 for the sd; allow about 4 of them.
    expect(Math.abs(mean)).toBeLessThan(0.04);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    // Tails: about 4.55% of draws lie beyond 2 sd.
    const tail = xs.filter((x) => Math.abs(x) > 2).length / n;
    expect(tail).toBeGreaterThan(0.035);
    expect(tail).toBeLessThan(0.056);
  });

  it('draws uniform values whose deciles hold about a tenth each', () => {
    const r = createRng(9);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[Math.floor(r.next() * 10)]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(130); // ~4.3 sd
  });

  it('shuffles in place into a permutation, reproducibly', () => {
    const a = createRng(5).shuffle([...Array(20).keys()]);
    const b = createRng(5).shuffle([...Array(20).keys()]);
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    expect(a).not.toEqual([...Array(20).keys()]);
  });

  it('exposes seed() as a non-negative 31-bit integer and random as a free function', () => {
    const r = createRng(11);
    for (let i = 0; i < 100; i++) {
      const s = r.seed();
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    }
    const f = createRng(12).random;
    expect(f()).toBe(createRng(12).next());
  });
});

describe('resolveRng', () => {
  it('prefers rng, then seed, then the default seed', () => {
    const rng = createRng(1);
    expect(resolveRng({ rng, seed: 2 })).toBe(rng);
    expect(resolveRng({ seed: 2 }).next()).toBe(createRng(2).next());
    expect(resolveRng({}).next()).toBe(createRng(42).next());
    expect(resolveRng({}, 7).next()).toBe(createRng(7).next());
  });
});
