import { attr } from './onnx-graph.js';
import type { LayerConverter } from './layer-converter.js';

/** `Concatenate` → Concat on the layer's axis. */
export const convertConcatenate: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { axis: number };
  return { outputs: [ctx.graph.node('Concat', ctx.inputs, { axis: attr.int(layer.axis) }, `${ctx.layer.name}/concat`)] };
};

/** `Add` → Add, left to right (the order tfjs sums in). */
export const convertAdd: LayerConverter = (ctx) => {
  let y = ctx.inputs[0]!;
  for (const x of ctx.inputs.slice(1)) y = ctx.graph.node('Add', [y, x], {}, `${ctx.layer.name}/add`);
  return { outputs: [y] };
};
