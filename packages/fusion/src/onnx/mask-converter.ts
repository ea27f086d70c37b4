import { attr, type OnnxGraph } from './onnx-graph.js';
import type { LayerConverter } from './layer-converter.js';

/** `mask != 0` as a bool `[B,T]` (what tfjs-layers' mask propagation and the masked layers test). */
export function realSteps(graph: OnnxGraph, mask: string, base: string): string {
  const zero = graph.node('CastLike', [graph.scalar(0), mask], {}, `${base}/zero`);
  return graph.node('Not', [graph.node('Equal', [mask, zero], {}, `${base}/is_pad`)], {}, `${base}/is_real`);
}

/** A bool as float 0/1. */
export function asFloat(graph: OnnxGraph, x: string, base: string): string {
  return graph.node('Cast', [x], { to: attr.int(1) }, base);
}

/**
 * `MetaseriesApplyMask` → `x · mask[..., None]` (the mask as fed, like the layer); with
 * `propagate`, the following recurrent layers receive `mask != 0`.
 */
export const convertApplyMask: LayerConverter = (ctx) => {
  const g = ctx.graph;
  const name = ctx.layer.name;
  const [x, mask] = ctx.inputs as [string, string];
  // after a convolution, the product runs in its [B,C,1,T] layout (the mask as [B,1,1,T])
  const x4 = g.nc1tOf(x);
  const y = x4
    ? g.fromNc1t(g.node('Mul', [x4, g.node('Unsqueeze', [mask, g.ints([1, 2])], {}, `${name}/mask4`)], {}, `${name}/masked4`), name)
    : g.node('Mul', [x, g.node('Unsqueeze', [mask, g.ints([-1])], {}, `${name}/mask3`)], {}, `${name}/masked`);
  const propagate = (ctx.layer as unknown as { propagate: boolean }).propagate;
  return { outputs: [y], mask: propagate ? realSteps(g, mask, name) : null };
};

/**
 * `MetaseriesMaskedPooling` → mean over real steps (`Σ x·m / max(Σ m, 1)`) or the last real step
 * (the step with the largest `m·(t+1)`, zero when there is none), as the layer computes them.
 */
export const convertMaskedPooling: LayerConverter = (ctx) => {
  const g = ctx.graph;
  const name = ctx.layer.name;
  const [x, maskIn] = ctx.inputs as [string, string];
  const m = asFloat(g, realSteps(g, maskIn, name), `${name}/m`);
  const m3 = g.node('Unsqueeze', [m, g.ints([-1])], {}, `${name}/m3`);
  if ((ctx.layer as unknown as { mode: string }).mode === 'mean') {
    const total = g.node('ReduceSum', [g.node('Mul', [x, m3], {}, `${name}/xm`), g.ints([1])], { keepdims: attr.int(0) }, `${name}/total`);
    const count = g.node('Max', [g.node('ReduceSum', [m, g.ints([1])], { keepdims: attr.int(1) }, `${name}/count`), g.scalar(1)], {}, `${name}/count1`);
    return { outputs: [g.node('Div', [total, count], {}, `${name}/mean`)] };
  }
  // last real step: argmax of m·(t+1) picks it (first index when every step is padding)
  const t = g.node('Shape', [maskIn], { start: attr.int(1), end: attr.int(2) }, `${name}/t`);
  const tScalar = g.node('Squeeze', [t, g.ints([0])], {}, `${name}/t0`);
  const positions = g.node('Range', [g.ints([1], true), g.node('Add', [tScalar, g.ints([1], true)], {}, `${name}/t1`), g.ints([1], true)], {}, `${name}/positions`);
  const scored = g.node('Mul', [m, g.node('Cast', [positions], { to: attr.int(1) }, `${name}/positions_f`)], {}, `${name}/scored`);
  const last = g.node('ArgMax', [scored], { axis: attr.int(1), keepdims: attr.int(1) }, `${name}/last`); // [B,1]
  const pickedMask = g.node('GatherElements', [m, last], { axis: attr.int(1) }, `${name}/last_real`); // [B,1]
  const shape = g.node(
    'Concat',
    [g.node('Shape', [x], { start: attr.int(0), end: attr.int(1) }, `${name}/b`), g.ints([1]), g.node('Shape', [x], { start: attr.int(2), end: attr.int(3) }, `${name}/f`)],
    { axis: attr.int(0) },
    `${name}/index_shape`,
  );
  const index = g.node('Expand', [g.node('Unsqueeze', [last, g.ints([-1])], {}, `${name}/last3`), shape], {}, `${name}/index`); // [B,1,F]
  const step = g.node('Squeeze', [g.node('GatherElements', [x, index], { axis: attr.int(1) }, `${name}/gather`), g.ints([1])], {}, `${name}/step`); // [B,F]
  return { outputs: [g.node('Mul', [step, pickedMask], {}, `${name}/last_value`)] };
};
