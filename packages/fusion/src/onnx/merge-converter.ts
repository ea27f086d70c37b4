import { attr } from './onnx-graph.js';
import type { LayerConverter } from './layer-converter.js';

/** `Concatenate` → Concat on the layer's axis. */
export const convertConcatenate: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { axis: number };
  const g = ctx.graph;
  // convolution branches joined on their channels (InceptionTime): in their [B,C,1,T] layout
  const twins = ctx.inputs.map((x) => g.nc1tOf(x));
  const channels = ctx.inputShapes.every((s) => s.length === 3 && (layer.axis === -1 || layer.axis === 2));
  if (channels && twins.every((t) => t !== undefined)) {
    return { outputs: [g.fromNc1t(g.node('Concat', twins as string[], { axis: attr.int(1) }, `${ctx.layer.name}/concat4`), ctx.layer.name)] };
  }
  return { outputs: [g.node('Concat', ctx.inputs, { axis: attr.int(layer.axis) }, `${ctx.layer.name}/concat`)] };
};

/** `Add` → Add, left to right (the order tfjs sums in). */
export const convertAdd: LayerConverter = (ctx) => {
  const g = ctx.graph;
  const sum = (xs: string[], base: string) => xs.slice(1).reduce((y, x) => g.node('Add', [y, x], {}, base), xs[0]!);
  // residual blocks add convolution outputs: the sum runs in their [B,C,1,T] layout when all have it
  const twins = ctx.inputs.map((x) => g.nc1tOf(x));
  if (twins.every((t) => t !== undefined)) return { outputs: [g.fromNc1t(sum(twins as string[], `${ctx.layer.name}/add4`), ctx.layer.name)] };
  return { outputs: [sum(ctx.inputs, `${ctx.layer.name}/add`)] };
};

/** `Average` (an ensemble's mean prediction) → Mean. */
export const convertAverage: LayerConverter = (ctx) => ({ outputs: [ctx.graph.node('Mean', ctx.inputs, {}, `${ctx.layer.name}/mean`)] });
