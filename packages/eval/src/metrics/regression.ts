/** PHM08 challenge score for remaining-useful-life predictions: d = predicted − true; late predictions (d > 0) cost more. Lower is better. */
export function phm08Score(yTrue: readonly number[], yPred: readonly number[]): number {
  return yTrue.reduce((s, t, i) => {
    const d = yPred[i]! - t;
    return s + (d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1);
  }, 0);
}

/** RMSE, MAE, R² and the PHM08 score. */
export function regressionMetrics(yTrue: readonly number[], yPred: readonly number[]): { values: Record<string, number> } {
  const n = yTrue.length;
  let se = 0;
  let ae = 0;
  yTrue.forEach((t, i) => {
    se += (yPred[i]! - t) ** 2;
    ae += Math.abs(yPred[i]! - t);
  });
  const meanT = yTrue.reduce((a, b) => a + b, 0) / n;
  const ss = yTrue.reduce((a, t) => a + (t - meanT) ** 2, 0);
  return { values: { rmse: Math.sqrt(se / n), mae: ae / n, r2: ss ? 1 - se / ss : NaN, phm08_score: phm08Score(yTrue, yPred) } };
}
