import { symmetricEigen } from './symmetric-eigen.js';

/** The penalties tried by default: 10 values log-spaced over [1e-3, 1e3] (MiniRocket's reference, scikit-learn's `RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))`). */
export const DEFAULT_RIDGE_ALPHAS: readonly number[] = Array.from(
  { length: 10 },
  (_, i) => 10 ** (-3 + (6 * i) / 9),
);

/** Largest of (records, features) the closed-form solver decomposes: its cost grows as the cube of the smaller one. */
export const RIDGE_MAX_SIDE = 3000;

/** Options of {@link fitRidgeCV}. */
export interface RidgeOptions {
  /** Penalties tried; the one with the lowest leave-one-out squared error is kept (the first on a tie). Default: {@link DEFAULT_RIDGE_ALPHAS}. */
  alphas?: readonly number[];
  /** Weight of each row (e.g. class weights). Default: all 1. */
  weights?: ArrayLike<number>;
}

/** What {@link fitRidgeCV} returns. */
export interface RidgeFit {
  /** Coefficients, `features × outputs` row-major. */
  coef: Float64Array;
  /** Intercept of each output (not penalised). */
  intercept: Float64Array;
  /** The penalty chosen. */
  alpha: number;
  /** Mean squared leave-one-out error of each penalty tried, in `alphas` order. */
  looErrors: number[];
}

/**
 * Ridge regression of `y` (`n × k`) on `x` (`n × p`, row-major) with an unpenalised intercept,
 * the penalty chosen by exact leave-one-out error (efficient generalised cross-validation, as
 * scikit-learn's `RidgeCV` with `cv=None`): one eigen-decomposition of the `n × n` Gram matrix
 * when `n ≤ p`, of the `p × p` covariance otherwise, then every penalty for the cost of a few
 * products. The smaller of `n` and `p` must be at most {@link RIDGE_MAX_SIDE}.
 */
export function fitRidgeCV(
  x: ArrayLike<number>,
  n: number,
  p: number,
  y: ArrayLike<number>,
  k: number,
  options: RidgeOptions = {},
): RidgeFit {
  const alphas = options.alphas ?? DEFAULT_RIDGE_ALPHAS;
  if (alphas.length === 0 || alphas.some((a) => !(a > 0)))
    throw new RangeError(`ridge: alphas must be positive numbers, got ${alphas.join(', ')}`);
  if (x.length !== n * p || y.length !== n * k)
    throw new RangeError(
      `ridge: x has ${x.length} values for ${n} × ${p}, y ${y.length} for ${n} × ${k}`,
    );
  if (Math.min(n, p) > RIDGE_MAX_SIDE)
    throw new RangeError(
      `ridge: ${n} records × ${p} features; the closed-form solver needs one of them <= ${RIDGE_MAX_SIDE}`,
    );
  const w = Float64Array.from({ length: n }, (_, i) => (options.weights ? options.weights[i]! : 1));
  const wSum = w.reduce((s, v) => s + v, 0);
  if (!(wSum > 0)) throw new RangeError('ridge: the row weights sum to 0');
  const sw = w.map(Math.sqrt);
  const xMean = new Float64Array(p);
  const yMean = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) xMean[j] = xMean[j]! + w[i]! * x[i * p + j]!;
    for (let c = 0; c < k; c++) yMean[c] = yMean[c]! + w[i]! * y[i * k + c]!;
  }
  xMean.forEach((v, j) => (xMean[j] = v / wSum));
  yMean.forEach((v, c) => (yMean[c] = v / wSum));
  // centred and scaled by √weight: the weighted problem becomes an unweighted one
  const xc = new Float64Array(n * p);
  const yc = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) xc[i * p + j] = (x[i * p + j]! - xMean[j]!) * sw[i]!;
    for (let c = 0; c < k; c++) yc[i * k + c] = (y[i * k + c]! - yMean[c]!) * sw[i]!;
  }
  const problem: CentredProblem = { xc, n, p, yc, k, sw, wSum };
  const { coef, alpha, looErrors } =
    n <= p ? dualSolve(problem, alphas) : primalSolve(problem, alphas);
  const intercept = Float64Array.from(yMean, (m, c) => {
    let s = m;
    for (let j = 0; j < p; j++) s -= xMean[j]! * coef[j * k + c]!;
    return s;
  });
  return { coef, intercept, alpha, looErrors };
}

/** The ridge problem after weighting and centring: rows of `xc` (`n × p`) and `yc` (`n × k`) scaled by √weight. */
interface CentredProblem {
  xc: Float64Array;
  n: number;
  p: number;
  yc: Float64Array;
  k: number;
  /** √weight of each row. */
  sw: Float64Array;
  /** Sum of the weights. */
  wSum: number;
}

/** `op(A) · B` for row-major `A` (`rows × cols`) and `B`; `op(A)` is `Aᵀ` when `transposeA`. */
function product(
  a: Float64Array,
  rows: number,
  cols: number,
  b: Float64Array,
  bCols: number,
  transposeA = false,
): Float64Array {
  const [outRows, inner] = transposeA ? [cols, rows] : [rows, cols];
  const out = new Float64Array(outRows * bCols);
  for (let r = 0; r < outRows; r++) {
    for (let m = 0; m < inner; m++) {
      const av = transposeA ? a[m * cols + r]! : a[r * cols + m]!;
      if (av === 0) continue;
      for (let c = 0; c < bCols; c++)
        out[r * bCols + c] = out[r * bCols + c]! + av * b[m * bCols + c]!;
    }
  }
  return out;
}

/** The transpose of row-major `m` (`rows × cols`). */
function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}

function argmin(xs: number[]): number {
  let best = 0;
  xs.forEach((v, i) => {
    if (v < xs[best]!) best = i;
  });
  return best;
}

/** n ≤ p: eigen-decomposition of K = Xc Xcᵀ; dual coefficients c = (K + αI)⁻¹ y, LOO residual c / diag((K + αI)⁻¹). */
function dualSolve({ xc, n, p, yc, k, sw }: CentredProblem, alphas: readonly number[]) {
  const K = product(xc, n, p, transpose(xc, n, p), n);
  const { values, vectors: Q } = symmetricEigen(K, n);
  // the intercept's direction (√weights, which centring made an eigenvector of eigenvalue 0) is not penalised
  const swNorm = Math.hypot(...sw);
  let interceptDim = 0;
  let bestDot = -1;
  for (let j = 0; j < n; j++) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += Q[i * n + j]! * sw[i]!;
    if (Math.abs(dot / swNorm) > bestDot) {
      bestDot = Math.abs(dot / swNorm);
      interceptDim = j;
    }
  }
  const qty = product(Q, n, n, yc, k, true); // Qᵀ y
  const dual = (alpha: number) => {
    const shrink = Float64Array.from(values, (v, j) =>
      j === interceptDim ? 0 : 1 / (Math.max(v, 0) + alpha),
    );
    const c = new Float64Array(n * k);
    const diag = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const q = Q[i * n + j]!;
        diag[i] = diag[i]! + q * q * shrink[j]!;
        const qs = q * shrink[j]!;
        for (let o = 0; o < k; o++) c[i * k + o] = c[i * k + o]! + qs * qty[j * k + o]!;
      }
    }
    return { c, diag };
  };
  const looErrors = alphas.map((alpha) => {
    const { c, diag } = dual(alpha);
    let s = 0;
    for (let i = 0; i < n; i++) for (let o = 0; o < k; o++) s += (c[i * k + o]! / diag[i]!) ** 2;
    return s / (n * k);
  });
  const alpha = alphas[argmin(looErrors)]!;
  const { c } = dual(alpha);
  const coef = product(xc, n, p, c, k, true); // Xcᵀ c
  return { coef, alpha, looErrors };
}

/** n > p: eigen-decomposition of C = Xcᵀ Xc; LOO residual (y − ŷ) / (1 − h), h the hat matrix's diagonal (intercept included). */
function primalSolve({ xc, n, p, yc, k, sw, wSum }: CentredProblem, alphas: readonly number[]) {
  const C = product(xc, n, p, xc, p, true);
  const { values, vectors: V } = symmetricEigen(C, p);
  const U = product(xc, n, p, V, p); // Xc V
  const uty = product(U, n, p, yc, k, true); // Uᵀ y
  const solve = (alpha: number) =>
    Float64Array.from(
      { length: p * k },
      (_, t) => uty[t]! / (Math.max(values[Math.floor(t / k)]!, 0) + alpha),
    );
  const looErrors = alphas.map((alpha) => {
    const b = solve(alpha);
    let s = 0;
    for (let i = 0; i < n; i++) {
      let h = (sw[i]! * sw[i]!) / wSum;
      for (let j = 0; j < p; j++)
        h += (U[i * p + j]! * U[i * p + j]!) / (Math.max(values[j]!, 0) + alpha);
      for (let o = 0; o < k; o++) {
        let fit = 0;
        for (let j = 0; j < p; j++) fit += U[i * p + j]! * b[j * k + o]!;
        s += ((yc[i * k + o]! - fit) / Math.max(1 - h, 1e-12)) ** 2;
      }
    }
    return s / (n * k);
  });
  const alpha = alphas[argmin(looErrors)]!;
  const b = solve(alpha);
  const coef = product(V, p, p, b, k); // V b
  return { coef, alpha, looErrors };
}
