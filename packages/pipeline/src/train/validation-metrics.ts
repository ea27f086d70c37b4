import type { Task } from '@metaseries/core';

/**
 * Mean training loss of a split from targets and model outputs, both `[N, K]` row-major as the
 * model sees them: binary and multilabel cross-entropy (mean over labels), categorical
 * cross-entropy (multiclass), mean squared error on scaled targets (regression). The same loss
 * the training loop minimises (without class weights), reported as `loss` / `val_loss`.
 */
export function meanTaskLoss(task: Task, y: Float32Array, p: Float32Array, K: number): number {
  const N = K ? y.length / K : 0;
  if (!N) return NaN;
  const eps = 1e-7;
  let loss = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      const t = y[i * K + k]!;
      const raw = p[i * K + k]!;
      if (task === 'regression') {
        loss += (raw - t) ** 2 / K;
        continue;
      }
      const q = Math.min(1 - eps, Math.max(eps, raw));
      loss -= task === 'multiclass' ? t * Math.log(q) : (t * Math.log(q) + (1 - t) * Math.log(1 - q)) / K;
    }
  }
  return loss / N;
}
