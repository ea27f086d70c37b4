import { isMetaseriesError, type SeriesRecord } from '@metaseries/core';
import { slidingWindows } from './sliding-windows.js';

const run: SeriesRecord = {
  id: 'engine1',
  values: [Float32Array.from({ length: 10 }, (_, i) => i)],
  times: Float64Array.from({ length: 10 }, (_, i) => i * 10),
  metadata: { model: 'x' },
  alignedContext: { values: { mode: Array.from({ length: 10 }, (_, i) => (i < 5 ? 'a' : 'b')) }, mask: { mode: new Uint8Array(10).fill(1) } },
  label: 'whole-run',
};

describe('slidingWindows', () => {
  it('cuts windows of length steps, stride apart; each keeps the run as its group', () => {
    const w = slidingWindows(run, { length: 4, stride: 3 });
    expect(w.map((r) => r.id)).toEqual(['engine1#0', 'engine1#3', 'engine1#6']);
    expect(Array.from(w[1]!.values[0]!)).toEqual([3, 4, 5, 6]);
    expect(Array.from(w[1]!.times!)).toEqual([30, 40, 50, 60]);
    expect(w[1]!.alignedContext!.values.mode).toEqual(['a', 'a', 'b', 'b']);
    expect(w.every((r) => r.group === 'engine1' && r.label === 'whole-run')).toBe(true);
  });

  it("'end' takes the label of the window's last step when per-step labels are given", () => {
    const stepLabels = Array.from({ length: 10 }, (_, i) => (i >= 7 ? 'degraded' : 'ok'));
    expect(slidingWindows(run, { length: 4, stride: 2, stepLabels }).map((r) => r.label)).toEqual(['ok', 'ok', 'degraded', 'degraded']); // windows end at steps 3, 5, 7, 9
  });

  it('horizon labels: an event within (tEnd, tEnd + horizon]; censored windows dropped by default', () => {
    // windows end at t = 20, 40, 60, 80; failure at t = 75; horizon 30
    const w = slidingWindows(run, { length: 3, stride: 2, label: { horizon: 30, events: 75 } });
    expect(w.map((r) => [r.id, r.label])).toEqual([
      ['engine1#0', 'no-event'],
      ['engine1#2', 'no-event'],
      ['engine1#4', 'event'],
    ]); // the window ending at 80 saw no event by 90 (the run's end) and is censored
    // an event AT the window end is not "within the next" horizon; a censored window can be kept
    const k = slidingWindows(run, { length: 3, stride: 2, label: { horizon: 5, events: [80] }, censored: 'negative', classes: ['no', 'yes'] });
    expect(k.map((r) => r.label)).toEqual(['no', 'no', 'no', 'no']);
    const d = slidingWindows(run, { length: 3, stride: 2, label: { horizon: 15, events: [] } });
    expect(d.map((r) => r.id)).toEqual(['engine1#0', 'engine1#2', 'engine1#4']); // window ending at 80: 80 + 15 > 90
  });

  it('a run shorter than one window gives none; bad options are WINDOW_BAD_OPTION', () => {
    expect(slidingWindows(run, { length: 11 })).toEqual([]);
    expect(slidingWindows({ ...run, values: [new Float32Array(0)], times: new Float64Array(0) }, { length: 1 })).toEqual([]);
    expect(() => slidingWindows(run, { length: 0 })).toThrow(expect.objectContaining({ code: 'WINDOW_BAD_OPTION' }));
    let err: unknown;
    try {
      slidingWindows(run, { length: 2, stepLabels: ['a'] });
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'WINDOW_BAD_OPTION')).toBe(true);
  });
});
