import { attr } from './onnx-graph.js';
import { project, unsupported, weightInitializer, type LayerConverter } from './layer-converter.js';

/** `Embedding` → Gather of the table rows (indices as fed: the encoders map unknown and missing values to their own rows). */
export const convertEmbedding: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { maskZero?: boolean };
  if (layer.maskZero) throw unsupported(ctx.layer, 'maskZero');
  const g = ctx.graph;
  const indices = g.node('Cast', [ctx.inputs[0]!], { to: attr.int(7) }, `${ctx.layer.name}/indices`);
  return { outputs: [g.node('Gather', [weightInitializer(ctx, 'embeddings'), indices], { axis: attr.int(0) }, `${ctx.layer.name}/gather`)] };
};

/** `MetaseriesBagEmbedding` → MatMul of the bag weights with the table. */
export const convertBagEmbedding: LayerConverter = (ctx) => ({ outputs: [project(ctx, ctx.inputs[0]!, 'embeddings')] });

/** `Flatten` → Flatten(axis 1): `[B, ...] → [B, product]`. */
export const convertFlatten: LayerConverter = (ctx) => ({
  outputs: [ctx.graph.node('Flatten', [ctx.inputs[0]!], { axis: attr.int(1) }, `${ctx.layer.name}/flatten`)],
});
