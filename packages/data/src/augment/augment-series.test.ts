import fc from 'fast-check';
import { createRng, isMetaseriesError, type MetaseriesError, type SeriesRecord } from '@metaseries/core';
import { augmentRecord, augmentRecords, augmentsAnything, resolveAugmentOptions, splineCurve } from './augment-series.js';

const L = 100;
const ramp = (): SeriesRecord => ({
  id: 'r1',
  values: [Float32Array.from({ length: L }, (_, t) => t), Float32Array.from({ length: L }, (_, t) => Math.sin(t / 5))],
  times: Float64Array.from({ length: L }, (_, t) => t * 10),
  metadata: { site: 'a' },
  alignedContext: { values: { step: Array.from({ length: L }, (_, t) => t) }, mask: { step: new Uint8Array(L).fill(1) } },
  label: 'x',
});

const increasing = (v: Float32Array) => v.every((x, i) => i === 0 || x >= v[i - 1]! - 1e-4);

describe('augmentRecord', () => {
  it('changes nothing with the defaults, and says so', () => {
    const r = ramp();
    expect(augmentsAnything({})).toBe(false);
    expect(augmentsAnything({ jitter: 0.1, probability: 0 })).toBe(false);
    expect(augmentsAnything({ windowSlice: 0.9 })).toBe(true);
    const out = augmentRecord(r, {}, createRng(1));
    expect(Array.from(out.values[0]!)).toEqual(Array.from(r.values[0]!));
  });

  it('never changes the record it is given, and the same seed gives the same copy', () => {
    const r = ramp();
    const before = r.values.map((v) => Array.from(v));
    const o = { jitter: 0.1, scale: 0.1, magnitudeWarp: 0.2, timeWarp: 0.2, windowSlice: 0.9, windowWarp: 0.1 };
    const a = augmentRecord(r, o, createRng(7));
    const b = augmentRecord(r, o, createRng(7));
    const c = augmentRecord(r, o, createRng(8));
    expect(r.values.map((v) => Array.from(v))).toEqual(before);
    expect(Array.from(a.values[1]!)).toEqual(Array.from(b.values[1]!));
    expect(Array.from(a.values[1]!)).not.toEqual(Array.from(c.values[1]!));
    expect(a.values[0]!.length).toBe(L);
    expect(a.times).toBe(r.times);
    expect(a.metadata).toEqual(r.metadata);
    expect(a.label).toBe('x');
  });

  it('jitter adds noise of the given standard deviation to every value', () => {
    const r: SeriesRecord = { id: 'z', values: [new Float32Array(20000)], metadata: {} };
    const v = augmentRecord(r, { jitter: 0.3 }, createRng(3)).values[0]!;
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sd).toBeGreaterThan(0.29);
    expect(sd).toBeLessThan(0.31);
  });

  it('scale multiplies each channel by one factor of its own', () => {
    const r = ramp();
    const out = augmentRecord(r, { scale: 0.2 }, createRng(4));
    const f0 = out.values[0]![50]! / 50;
    const f1 = out.values[1]![3]! / r.values[1]![3]!;
    expect(f0).not.toBeCloseTo(1, 3);
    expect(f0).not.toBeCloseTo(f1, 3);
    for (let t = 1; t < L; t++) expect(out.values[0]![t]!).toBeCloseTo(t * f0, 3);
  });

  it('missing values stay missing under the magnitude transforms', () => {
    const r = ramp();
    r.values[1]![10] = NaN;
    r.values[1]![11] = NaN;
    const out = augmentRecord(r, { jitter: 0.1, scale: 0.1, magnitudeWarp: 0.3 }, createRng(5));
    expect(Array.from(out.values[1]!).map(Number.isNaN)).toEqual(Array.from(r.values[1]!).map(Number.isNaN));
  });

  it('window slicing stretches a crop of the given share back to the full length', () => {
    const out = augmentRecord(ramp(), { windowSlice: 0.8 }, createRng(6)).values[0]!;
    const slope = (out[L - 1]! - out[0]!) / (L - 1);
    expect(slope).toBeCloseTo((Math.round(0.8 * L) - 1) / (L - 1), 4);
    expect(out[0]!).toBeGreaterThanOrEqual(0);
    expect(out[L - 1]!).toBeLessThanOrEqual(L - 1);
    for (let t = 1; t < L; t++) expect(out[t]! - out[t - 1]!).toBeCloseTo(slope, 3);
  });

  it('window and time warping keep the order of the steps and both ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0.05, max: 0.5, noNaN: true }), (seed, amount) => {
        for (const o of [{ windowWarp: amount }, { timeWarp: amount }, { timeWarp: amount, windowWarp: amount }]) {
          const out = augmentRecord(ramp(), o, createRng(seed)).values[0]!;
          if (!increasing(out)) return false;
          if (Math.abs(out[0]!) > 1e-3 || Math.abs(out[L - 1]! - (L - 1)) > 1e-3) return false;
        }
        return true;
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('time warping moves values: the warped ramp differs from the identity in the middle', () => {
    const out = augmentRecord(ramp(), { timeWarp: 0.3 }, createRng(9)).values[0]!;
    const maxShift = Math.max(...Array.from(out, (x, t) => Math.abs(x - t)));
    expect(maxShift).toBeGreaterThan(1);
  });

  it('context aligned to the steps moves with them (the value of the nearest source step)', () => {
    const out = augmentRecord(ramp(), { timeWarp: 0.3, windowSlice: 0.7 }, createRng(10));
    const ctx = out.alignedContext!.values.step as number[];
    out.values[0]!.forEach((x, t) => expect(Math.abs(ctx[t]! - x)).toBeLessThanOrEqual(0.5 + 1e-4));
    expect(out.alignedContext!.mask.step!.length).toBe(L);
  });

  it('probability decides how many records are augmented', () => {
    const recs = Array.from({ length: 400 }, () => ramp());
    const out = augmentRecords(recs, { jitter: 0.1, probability: 0.25 }, createRng(12));
    const changed = out.filter((r, i) => r !== recs[i]).length;
    expect(changed).toBeGreaterThan(70);
    expect(changed).toBeLessThan(130);
  });

  it('a bad option is AUGMENT_BAD_OPTION naming the option, the value and the range', () => {
    for (const [o, field] of [
      [{ jitter: -1 }, 'jitter'],
      [{ windowSlice: 0 }, 'windowSlice'],
      [{ windowWarp: 1 }, 'windowWarp'],
      [{ knots: 0.5 }, 'knots'],
      [{ probability: 2 }, 'probability'],
    ] as const) {
      try {
        resolveAugmentOptions(o);
        throw new Error('no error');
      } catch (e) {
        expect(isMetaseriesError(e, 'AUGMENT_BAD_OPTION')).toBe(true);
        expect((e as MetaseriesError).details.field).toBe(field);
      }
    }
  });
});

describe('splineCurve', () => {
  it('passes through its knots and is a line for collinear knots', () => {
    const knots = [1, 1.3, 0.8, 1.1, 0.9];
    const c = splineCurve(knots, 41); // knots at points 0, 10, 20, 30, 40
    knots.forEach((k, i) => expect(c[i * 10]!).toBeCloseTo(k, 10));
    const line = splineCurve([0, 1, 2, 3], 31);
    line.forEach((v, j) => expect(v).toBeCloseTo(j / 10, 10));
  });
});
