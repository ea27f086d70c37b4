import { createRng } from '@metaseries/core';
import { applyTemperature, fitTemperature, logitsFromProbabilities } from './temperature-scaling.js';

/** Logits whose softmax is calibrated: labels are drawn from softmax(logits). */
function calibratedSample(n: number, seed: number, scale: number) {
  const rng = createRng(seed);
  const logits: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = [rng.normal() * 2, rng.normal() * 2, rng.normal() * 2];
    const p = applyTemperature([l], { temperature: 1 })[0]!;
    const u = rng.next();
    y.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2);
    logits.push(l.map((v) => v * scale));
  }
  return { logits, y };
}

describe('fitTemperature', () => {
  it('leaves a calibrated model alone (T ≈ 1) and recovers a known over-confidence factor', () => {
    const ok = calibratedSample(3000, 1, 1);
    expect(fitTemperature(ok.logits, ok.y).temperature).toBeGreaterThan(0.9);
    expect(fitTemperature(ok.logits, ok.y).temperature).toBeLessThan(1.1);
    const hot = calibratedSample(3000, 1, 2.5);
    const t = fitTemperature(hot.logits, hot.y).temperature;
    expect(t).toBeGreaterThan(2.25);
    expect(t).toBeLessThan(2.75);
  });

  it('finds the NLL minimum: both neighbours are worse', () => {
    const s = calibratedSample(500, 2, 3);
    const fit = fitTemperature(s.logits, s.y);
    const nllAt = (temperature: number) => -applyTemperature(s.logits, { temperature }).reduce((a, p, i) => a + Math.log(p[s.y[i]!]!), 0) / s.y.length;
    expect(nllAt(fit.temperature)).toBeCloseTo(fit.nllAfter, 10);
    expect(nllAt(fit.temperature * 1.02)).toBeGreaterThan(fit.nllAfter);
    expect(nllAt(fit.temperature / 1.02)).toBeGreaterThan(fit.nllAfter);
  });

  it('stores as plain JSON and keeps the predicted class', () => {
    const s = calibratedSample(200, 3, 2);
    const state = JSON.parse(JSON.stringify({ temperature: fitTemperature(s.logits, s.y).temperature })) as { temperature: number };
    const before = applyTemperature(s.logits, { temperature: 1 });
    const after = applyTemperature(s.logits, state);
    const argmax = (r: number[]) => r.indexOf(Math.max(...r));
    expect(after.map(argmax)).toEqual(before.map(argmax));
  });

  it('works on binary probabilities through logitsFromProbabilities and refuses bad labels', () => {
    const logits = logitsFromProbabilities([[0.99], [0.02], [0.97], [0.03], [0.95]]);
    expect(logits[0]).toHaveLength(2);
    expect(applyTemperature(logits, { temperature: 1 })[0]![1]).toBeCloseTo(0.99, 10);
    expect(fitTemperature(logits, [1, 0, 0, 1, 1]).temperature).toBeGreaterThan(1);
    expect(() => fitTemperature(logits, [1, 0, 2, 1, 1])).toThrow(expect.objectContaining({ code: 'EVAL_BAD_LABEL' }));
    expect(() => fitTemperature(logits, [1])).toThrow(expect.objectContaining({ code: 'EVAL_SHAPE_MISMATCH' }));
  });
});
