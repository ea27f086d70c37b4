import fc from 'fast-check';
import type { SeriesRecord } from '@metaseries/core';
import { fitNormaliser, applyNormaliser, statistics } from './normaliser.js';
import { asTrainIndices, splitDataset } from '../split/split-dataset.js';

const rec = (id: string, values: number[][], regime = 'a'): SeriesRecord => ({ id, values: values.map((v) => Float32Array.from(v)), metadata: { regime } });

describe('normalisers', () => {
  const records = [rec('t1', [[1, 2, 3], [10, 10, 10]]), rec('t2', [[4, 5, NaN], [10, 20, 30]], 'b'), rec('v1', [[1000, 1000, 1000], [0, 0, 0]])];
  const train = asTrainIndices([0, 1]);

  it('z-score per channel uses training statistics only (a huge validation value changes nothing)', () => {
    const s = fitNormaliser(records, train);
    expect(s.stats['*']!.center[0]).toBeCloseTo(3, 6);
    const out = applyNormaliser(s, records);
    expect(Number.isNaN(out[1]!.values[0]![2]!)).toBe(true); // NaN stays NaN
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON
  });

  it('min-max, robust, global, instance and per-group scopes', () => {
    const mm = applyNormaliser(fitNormaliser(records, train, { method: 'minmax' }), records);
    expect(Array.from(mm[0]!.values[0]!)).toEqual([0, 0.25, 0.5]);
    const inst = applyNormaliser(fitNormaliser(records, train, { scope: 'instance' }), [records[2]!]);
    expect(Array.from(inst[0]!.values[0]!)).toEqual([0, 0, 0]);
    const grp = fitNormaliser(records, train, { scope: 'group', groupBy: 'regime' });
    expect(Object.keys(grp.stats).sort()).toEqual(['*', '=a', '=b']);
    const unseen = applyNormaliser(grp, [rec('x', [[3, 3, 3], [10, 10, 10]], 'never-seen')]);
    expect(unseen[0]!.values[0]![0]).toBeCloseTo(0, 6); // falls back to the global statistics
    const rb = fitNormaliser(records, train, { method: 'robust', scope: 'global' });
    expect(rb.stats['*']!.center[0]).toBe(rb.stats['*']!.center[1]);
  });

  it('per context group: each step is scaled by the statistics of the regime aligned at that step', () => {
    const ctx = (modes: string[]) => ({ values: { mode: modes }, mask: { mode: new Uint8Array(modes.length).fill(1) } });
    const a: SeriesRecord = { id: 'a', values: [Float32Array.from([0, 2, 100, 102])], metadata: {}, alignedContext: ctx(['idle', 'idle', 'load', 'load']) };
    const b: SeriesRecord = { id: 'b', values: [Float32Array.from([1, 101])], metadata: {}, alignedContext: { values: { mode: ['idle', null] }, mask: { mode: Uint8Array.from([1, 0]) } } };
    const s = fitNormaliser([a], asTrainIndices([0]), { scope: 'group', groupBy: 'mode', groupSource: 'context' });
    expect(s.stats['=idle']!.center[0]).toBe(1);
    expect(s.stats['=load']!.center[0]).toBe(101);
    expect(Array.from(applyNormaliser(s, [a])[0]!.values[0]!)).toEqual([-1, 1, -1, 1]);
    // a step with missing context falls back to the overall statistics (mean 51, sd ≈ 50.01)
    const out = applyNormaliser(s, [b])[0]!.values[0]!;
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(50 / Math.sqrt(2501), 5);
    expect(() => fitNormaliser([{ ...a, alignedContext: undefined }], asTrainIndices([0]), { scope: 'group', groupBy: 'mode', groupSource: 'context' })).toThrow(
      expect.objectContaining({ code: 'NORMALISE_NOT_ALIGNED' }),
    );
  });

  it("per record.group ('record' source)", () => {
    const rs = [{ ...rec('a', [[0, 2]]), group: 'u1' }, { ...rec('b', [[10, 30]]), group: 'u2' }];
    const s = fitNormaliser(rs, asTrainIndices([0, 1]), { scope: 'group', groupSource: 'record' });
    expect(applyNormaliser(s, rs).map((r) => Array.from(r.values[0]!))).toEqual([[-1, 1], [-1, 1]]);
  });
});

describe('fitting on anything but the training split is a type error', () => {
  it('accepts split.train, refuses split.valid / split.test / plain arrays at compile time', () => {
    const records = Array.from({ length: 20 }, (_, i) => rec(`r${i}`, [[i, i + 1]], i % 2 ? 'a' : 'b'));
    const split = splitDataset(records, { strategy: 'random', seed: 1 });
    expect(fitNormaliser(records, split.train).format).toBe('metaseries.normaliser');
    // @ts-expect-error validation indices are not TrainIndices
    expect(() => fitNormaliser(records, split.valid)).not.toThrow();
    // @ts-expect-error a plain number[] is not TrainIndices either
    expect(() => fitNormaliser(records, [0, 1])).not.toThrow();
  });
});

describe('normalisers (properties on random data)', () => {
  const series = fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constant(NaN)), { minLength: 1, maxLength: 20 });
  const dataset = fc.array(fc.tuple(series, series).map(([x, y]) => [x, y.slice(0, x.length).concat(new Array(Math.max(0, x.length - y.length)).fill(0))]), { minLength: 2, maxLength: 8 });

  it('depends on training records only; NaN stays NaN; z-scored training data has mean 0', () => {
    fc.assert(
      fc.property(dataset, fc.constantFrom('zscore' as const, 'minmax' as const, 'robust' as const), (chans, method) => {
        const records = chans.map((c, i) => rec(`r${i}`, c));
        const train = asTrainIndices(records.map((_, i) => i).filter((i) => i % 2 === 0));
        const state = fitNormaliser(records, train, { method });
        // changing every held-out record changes nothing in the state
        const moved = records.map((r, i) => (i % 2 === 0 ? r : rec(r.id, r.values.map((ch) => Array.from(ch, (v) => v * 7 + 1e6)))));
        expect(fitNormaliser(moved, train, { method })).toEqual(state);
        const out = applyNormaliser(state, records);
        out.forEach((r, i) => r.values.forEach((ch, c) => ch.forEach((v, t) => expect(Number.isNaN(v)).toBe(Number.isNaN(records[i]!.values[c]![t]!)))));
        if (method === 'zscore') {
          for (let c = 0; c < 2; c++) {
            const vals = train.flatMap((i) => Array.from(out[i]!.values[c]!)).filter((v) => Number.isFinite(v));
            if (vals.length > 0) expect(Math.abs(vals.reduce((a, b) => a + b, 0) / vals.length)).toBeLessThan(1e-3);
          }
        }
      }),
      { numRuns: 150, seed: 21 },
    );
  });
});

describe('per context group normalisation against a step-by-step reference', () => {
  // the reference: every value of every step pushed into its group's list, statistics() over each list
  const regime = fc.constantFrom<string | number | null>('idle', 'load', 3, null);
  const record = fc.integer({ min: 0, max: 25 }).chain((T) =>
    fc.record({
      a: fc.array(fc.oneof(fc.double({ min: -50, max: 50, noNaN: true }), fc.constant(NaN)), { minLength: T, maxLength: T }),
      b: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: T, maxLength: T }),
      groups: fc.array(regime, { minLength: T, maxLength: T }),
      mask: fc.array(fc.constantFrom(0, 1, 1, 1), { minLength: T, maxLength: T }),
    }),
  );

  it('fits the same statistics and scales every step by its group (unseen or missing group: overall)', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), fc.constantFrom('zscore' as const, 'minmax' as const, 'robust' as const), (raw, method) => {
        const records: SeriesRecord[] = raw.map((r, i) => ({
          id: `r${i}`,
          values: [Float32Array.from(r.a), Float32Array.from(r.b)],
          metadata: {},
          alignedContext: { values: { mode: r.groups }, mask: { mode: Uint8Array.from(r.mask) } },
        }));
        const train = asTrainIndices(records.map((_, i) => i).filter((i) => i !== 1)); // record 1 (if any) is held out
        const state = fitNormaliser(records, train, { method, scope: 'group', groupBy: 'mode', groupSource: 'context' });
        const groupOf = (r: SeriesRecord, t: number) => {
          const v = r.alignedContext!.values.mode![t];
          return v === null || v === undefined || r.alignedContext!.mask.mode![t] === 0 ? undefined : String(v);
        };
        const lists = new Map<string, number[][]>();
        for (const i of train) {
          const r = records[i]!;
          for (let t = 0; t < r.values[0]!.length; t++) {
            const g = groupOf(r, t);
            if (g === undefined) continue;
            if (!lists.has(g)) lists.set(g, [[], []]);
            lists.get(g)!.forEach((l, c) => l.push(r.values[c]![t]!));
          }
        }
        const expected: Record<string, { center: number[]; scale: number[] }> = { '*': fitNormaliser(records, train, { method }).stats['*']! };
        for (const [g, chans] of lists) {
          const st = chans.map((l) => statistics(l, method));
          expected[`=${g}`] = { center: st.map((s) => s.center), scale: st.map((s) => s.scale) };
        }
        expect(state.stats).toEqual(expected);
        const out = applyNormaliser(state, records);
        records.forEach((r, i) =>
          r.values.forEach((ch, c) =>
            ch.forEach((v, t) => {
              const g = groupOf(r, t);
              const st = (g !== undefined ? state.stats[`=${g}`] : undefined) ?? state.stats['*']!;
              expect(Object.is(out[i]!.values[c]![t], Math.fround((v - st.center[c]!) / st.scale[c]!))).toBe(true);
            }),
          ),
        );
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});
