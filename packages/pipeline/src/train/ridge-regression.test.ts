import { createRng } from '@metaseries/core';
import { DEFAULT_RIDGE_ALPHAS, fitRidgeCV } from './ridge-regression.js';
import { symmetricEigen } from './symmetric-eigen.js';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

/** Solves `A x = b` (A m × m, b m × k) by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, b: Float64Array, m: number, k: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++)
      if (Math.abs(a[r * m + c]!) > Math.abs(a[piv * m + c]!)) piv = r;
    for (let j = 0; j < m; j++) [a[c * m + j], a[piv * m + j]] = [a[piv * m + j]!, a[c * m + j]!];
    for (let j = 0; j < k; j++) [x[c * k + j], x[piv * k + j]] = [x[piv * k + j]!, x[c * k + j]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = a[r * m + c]! / a[c * m + c]!;
      for (let j = 0; j < m; j++) a[r * m + j] = a[r * m + j]! - f * a[c * m + j]!;
      for (let j = 0; j < k; j++) x[r * k + j] = x[r * k + j]! - f * x[c * k + j]!;
    }
  }
  for (let r = 0; r < m; r++)
    for (let j = 0; j < k; j++) x[r * k + j] = x[r * k + j]! / a[r * m + r]!;
  return x;
}

/** Ridge with an unpenalised intercept by the normal equations: centre, solve (XcᵀXc + αI) W = Xcᵀ Yc. */
function directRidge(
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  k: number,
  alpha: number,
) {
  const xm = Float64Array.from(
    { length: p },
    (_, j) => Array.from({ length: n }, (_, i) => x[i * p + j]!).reduce((s, v) => s + v, 0) / n,
  );
  const ym = Float64Array.from(
    { length: k },
    (_, c) => Array.from({ length: n }, (_, i) => y[i * k + c]!).reduce((s, v) => s + v, 0) / n,
  );
  const A = new Float64Array(p * p);
  const B = new Float64Array(p * k);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) {
      const xa = x[i * p + a]! - xm[a]!;
      for (let b = 0; b < p; b++) A[a * p + b] = A[a * p + b]! + xa * (x[i * p + b]! - xm[b]!);
      for (let c = 0; c < k; c++) B[a * k + c] = B[a * k + c]! + xa * (y[i * k + c]! - ym[c]!);
    }
  }
  for (let a = 0; a < p; a++) A[a * p + a] = A[a * p + a]! + alpha;
  const coef = solve(A, B, p, k);
  const intercept = Float64Array.from(
    ym,
    (m, c) => m - xm.reduce((s, v, j) => s + v * coef[j * k + c]!, 0),
  );
  return { coef, intercept };
}

describe('symmetricEigen', () => {
  it('decomposes a symmetric matrix: A = V diag(d) Vᵀ, V orthonormal, d ascending', () => {
    const n = 23;
    const r = randomMatrix(n, n, 1);
    const A = Float64Array.from(
      { length: n * n },
      (_, t) => r[t]! + r[(t % n) * n + Math.floor(t / n)]!,
    );
    const { values, vectors: V } = symmetricEigen(A, n);
    for (let j = 1; j < n; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let dot = 0;
        for (let m = 0; m < n; m++) {
          rec += V[i * n + m]! * values[m]! * V[j * n + m]!;
          dot += V[m * n + i]! * V[m * n + j]!;
        }
        worst = Math.max(worst, Math.abs(rec - A[i * n + j]!), Math.abs(dot - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('handles a rank-deficient matrix and the 1 × 1 case', () => {
    const v = [1, 2, 3];
    const { values } = symmetricEigen(
      v.flatMap((a) => v.map((b) => a * b)),
      3,
    );
    expect(values[0]).toBeCloseTo(0, 10);
    expect(values[2]).toBeCloseTo(14, 10);
    expect(Array.from(symmetricEigen([5], 1).values)).toEqual([5]);
  });
});

describe('fitRidgeCV', () => {
  for (const [mode, n, p] of [
    ['dual (records <= features)', 12, 30],
    ['primal (records > features)', 40, 6],
  ] as const) {
    it(`${mode}: the coefficients of the normal equations, and the exact leave-one-out error`, () => {
      const k = 2;
      const x = randomMatrix(n, p, 2);
      const y = Float64Array.from(
        { length: n * k },
        (_, t) => x[Math.floor(t / k) * p + (t % k)]! * 2 - 1 + 0.3 * Math.sin(t),
      );
      const alphas = [0.01, 1, 10];
      const fit = fitRidgeCV(x, n, p, y, k, { alphas });
      const direct = directRidge(x, n, p, y, k, fit.alpha);
      fit.coef.forEach((c, t) => expect(c).toBeCloseTo(direct.coef[t]!, 8));
      fit.intercept.forEach((c, t) => expect(c).toBeCloseTo(direct.intercept[t]!, 8));
      // brute force: refit without each record, predict it
      alphas.forEach((alpha, a) => {
        let s = 0;
        for (let out = 0; out < n; out++) {
          const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i !== out);
          const m = directRidge(
            Float64Array.from(keep.flatMap((i) => Array.from(x.subarray(i * p, (i + 1) * p)))),
            n - 1,
            p,
            Float64Array.from(keep.flatMap((i) => Array.from(y.subarray(i * k, (i + 1) * k)))),
            k,
            alpha,
          );
          for (let c = 0; c < k; c++) {
            let pred = m.intercept[c]!;
            for (let j = 0; j < p; j++) pred += x[out * p + j]! * m.coef[j * k + c]!;
            s += (y[out * k + c]! - pred) ** 2;
          }
        }
        expect(fit.looErrors[a]).toBeCloseTo(s / (n * k), 8);
      });
      expect(fit.alpha).toBe(alphas[fit.looErrors.indexOf(Math.min(...fit.looErrors))]);
    });
  }

  it('weights rows as repeating them would (whole-number weights)', () => {
    const n = 8;
    const p = 15;
    const x = randomMatrix(n, p, 4);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1));
    const w = [1, 2, 1, 3, 1, 1, 2, 1];
    const weighted = fitRidgeCV(x, n, p, y, 1, { alphas: [0.5], weights: w });
    const rows = w.flatMap((c, i) => Array.from({ length: c }, () => i));
    const repeated = fitRidgeCV(
      Float64Array.from(rows.flatMap((i) => Array.from(x.subarray(i * p, (i + 1) * p)))),
      rows.length,
      p,
      Float64Array.from(rows, (i) => y[i]!),
      1,
      { alphas: [0.5] },
    );
    weighted.coef.forEach((c, t) => expect(c).toBeCloseTo(repeated.coef[t]!, 8));
    expect(weighted.intercept[0]).toBeCloseTo(repeated.intercept[0]!, 8);
  });

  it('tries 10 penalties from 1e-3 to 1e3 by default and refuses bad ones', () => {
    expect(DEFAULT_RIDGE_ALPHAS).toHaveLength(10);
    expect(DEFAULT_RIDGE_ALPHAS[0]).toBeCloseTo(1e-3, 12);
    expect(DEFAULT_RIDGE_ALPHAS[9]).toBeCloseTo(1e3, 9);
    expect(() => fitRidgeCV([1, 2], 2, 1, [0, 1], 1, { alphas: [0] })).toThrow(/alphas/);
  });
});
