/**
 * Default embedding width for a categorical field with `cardinality` distinct values:
 * `min(50, round(1.6 · n^0.56))`, the rule pytorch-forecasting uses (after fast.ai), never
 * below 1. Override per field with the schema's `embedding` or the encoder's `embedding` option.
 *
 * | cardinality | 2 | 10 | 100 | 10 000 |
 * |---|---|---|---|---|
 * | width | 2 | 6 | 21 | 50 |
 */
export function defaultEmbeddingSize(cardinality: number): number {
  if (!(cardinality >= 1)) return 1;
  return Math.max(1, Math.min(50, Math.round(1.6 * cardinality ** 0.56)));
}
