import { fastSigmoid, fastTanh } from './fast-tanh.js';

describe('fastTanh / fastSigmoid', () => {
  it('stay within a few float32 ulps of Math.tanh and the exact sigmoid on [-30, 30]', () => {
    let tanhErr = 0;
    let sigErr = 0;
    for (let x = -30; x <= 30; x += 1e-3) {
      tanhErr = Math.max(tanhErr, Math.abs(fastTanh(x) - Math.tanh(x)));
      sigErr = Math.max(sigErr, Math.abs(fastSigmoid(x) - 1 / (1 + Math.exp(-x))));
    }
    expect(tanhErr).toBeLessThan(3e-7);
    expect(sigErr).toBeLessThan(1.5e-7);
  });

  it('is odd, monotone and bounded', () => {
    let prev = -2;
    for (let x = -10; x <= 10; x += 0.01) {
      const y = fastTanh(x);
      expect(fastTanh(-x)).toBe(-y);
      expect(y).toBeGreaterThanOrEqual(prev);
      expect(Math.abs(y)).toBeLessThan(1);
      prev = y;
    }
    expect(fastTanh(0)).toBe(0);
    expect(fastSigmoid(0)).toBe(0.5);
  });
});
