import { attr } from './onnx-graph.js';
import { asFloat, realSteps } from './mask-converter.js';
import { project, unsupported, weight, weightInitializer, type ConvertContext, type LayerConverter } from './layer-converter.js';

/** `[B,T,h·k] → [B,h,T,k]`. */
function splitHeads(ctx: ConvertContext, y: string, h: number, k: number, what: string): string {
  const g = ctx.graph;
  const r = g.node('Reshape', [y, g.ints([0, 0, h, k])], {}, `${ctx.layer.name}/${what}_heads`);
  return g.node('Transpose', [r], { perm: attr.ints([0, 2, 1, 3]) }, `${ctx.layer.name}/${what}_bhtk`);
}

/** `scores + (1 − mask)·(−1e9)`, the mask reshaped by `axes` to broadcast over the scores. */
function maskScores(ctx: ConvertContext, scores: string, maskIn: string, axes: number[]): { masked: string; mask: string } {
  const g = ctx.graph;
  const name = ctx.layer.name;
  const mask = g.node('Unsqueeze', [asFloat(g, realSteps(g, maskIn, name), `${name}/mask_f`), g.ints(axes)], {}, `${name}/mask_b`);
  const penalty = g.node('Mul', [g.node('Sub', [g.scalar(1), mask], {}, `${name}/pad`), g.scalar(-1e9)], {}, `${name}/penalty`);
  return { masked: g.node('Add', [scores, penalty], {}, `${name}/masked_scores`), mask };
}

/** `MetaseriesMultiHeadSelfAttention` → projections, masked scaled dot-product attention per head, output projection. */
export const convertMultiHeadSelfAttention: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { heads: number; keyDim: number | undefined };
  const d = ctx.inputShapes[0]![2];
  if (typeof d !== 'number') throw unsupported(ctx.layer, 'its feature width is not fixed');
  const h = layer.heads;
  const k = layer.keyDim ?? Math.max(1, Math.floor(d / h));
  const g = ctx.graph;
  const name = ctx.layer.name;
  const [x, maskIn] = ctx.inputs as [string, string];
  const q = splitHeads(ctx, project(ctx, x, 'query_kernel', 'query_bias'), h, k, 'q');
  const key = splitHeads(ctx, project(ctx, x, 'key_kernel', 'key_bias'), h, k, 'k');
  const val = splitHeads(ctx, project(ctx, x, 'value_kernel', 'value_bias'), h, k, 'v');
  const keyT = g.node('Transpose', [key], { perm: attr.ints([0, 1, 3, 2]) }, `${name}/k_t`);
  const scores = g.node('Div', [g.node('MatMul', [q, keyT], {}, `${name}/qk`), g.scalar(Math.sqrt(k))], {}, `${name}/scores`);
  const { masked } = maskScores(ctx, scores, maskIn, [1, 2]);
  const weights = g.node('Softmax', [masked], { axis: attr.int(-1) }, `${name}/weights`);
  const context = g.node('Transpose', [g.node('MatMul', [weights, val], {}, `${name}/attended`)], { perm: attr.ints([0, 2, 1, 3]) }, `${name}/context_bthk`);
  const flat = g.node('Reshape', [context, g.ints([0, 0, h * k])], {}, `${name}/context`);
  return { outputs: [project(ctx, flat, 'output_kernel', 'output_bias')] };
};

/** A kernel `[F, h·k]` laid out per head, `[h, F, k]` (`transposed`: `[h, k, F]`), as a float32 initializer. */
function headKernel(ctx: ConvertContext, name: string, h: number, k: number, transposed: boolean): string {
  const w = weight(ctx, name);
  const f = w.shape[0]!;
  const src = w.dataSync();
  const out = new Float32Array(src.length);
  for (let r = 0; r < f; r++)
    for (let hh = 0; hh < h; hh++)
      for (let c = 0; c < k; c++) out[transposed ? (hh * k + c) * f + r : (hh * f + r) * k + c] = src[r * h * k + hh * k + c]!;
  return ctx.graph.floats(`${ctx.layer.name}/${name}_by_head`, out, transposed ? [h, k, f] : [h, f, k]);
}

/**
 * `MetaseriesMetadataAttentionPooling` → one metadata query per head attending over the step
 * features (weights exactly 0 on padded steps); outputs `[context ‖ query, weights]`. As in the
 * layer, keys and values are never formed per step: scores are `xₜ·(W_k·q)` (the layer's
 * `q·b_k` is the same at every step, so the softmax does not see it) and the context is
 * `(Σₜ wₜxₜ)·W_v + b_v·Σₜ wₜ`.
 */
export const convertMetadataAttentionPooling: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { heads: number; keyDim: number };
  const h = layer.heads;
  const k = layer.keyDim;
  const g = ctx.graph;
  const name = ctx.layer.name;
  const [x, meta, maskIn] = ctx.inputs as [string, string, string];
  const query = project(ctx, meta, 'query_kernel', 'query_bias'); // [B, h·k]
  const headMajor = (y: string, what: string) => g.node('Transpose', [y], { perm: attr.ints([1, 0, 2]) }, `${name}/${what}`);
  const q = headMajor(g.node('Reshape', [query, g.ints([0, h, k])], {}, `${name}/q`), 'q_hbk'); // [h, B, k]
  const keyQuery = headMajor(g.node('MatMul', [q, headKernel(ctx, 'key_kernel', h, k, true)], {}, `${name}/key_query_hbf`), 'key_query'); // [B, h, F]
  const xT = g.node('Transpose', [x], { perm: attr.ints([0, 2, 1]) }, `${name}/x_t`); // [B, F, T]
  const scores = g.node('Div', [g.node('MatMul', [keyQuery, xT], {}, `${name}/qk`), g.scalar(Math.sqrt(k))], {}, `${name}/scores`); // [B, h, T]
  const { masked, mask } = maskScores(ctx, scores, maskIn, [1]);
  const weights = g.node('Mul', [g.node('Softmax', [masked], { axis: attr.int(-1) }, `${name}/softmax`), mask], {}, `${name}/weights`);
  const pooled = headMajor(g.node('MatMul', [weights, x], {}, `${name}/pooled`), 'pooled_hbf'); // [h, B, F]
  const projected = headMajor(g.node('MatMul', [pooled, headKernel(ctx, 'value_kernel', h, k, false)], {}, `${name}/projected_hbk`), 'projected'); // [B, h, k]
  const valueBias = g.node('Reshape', [weightInitializer(ctx, 'value_bias'), g.ints([1, h, k])], {}, `${name}/value_bias_hk`);
  const weightSum = g.node('ReduceSum', [weights, g.ints([-1])], { keepdims: attr.int(1) }, `${name}/weight_sum`); // [B, h, 1]
  const attended = g.node('Add', [projected, g.node('Mul', [weightSum, valueBias], {}, `${name}/value_bias_w`)], {}, `${name}/attended`);
  const context = g.node('Reshape', [attended, g.ints([0, h * k])], {}, `${name}/context`);
  return { outputs: [g.node('Concat', [context, query], { axis: attr.int(1) }, `${name}/summary`), weights] };
};
