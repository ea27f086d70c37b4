import { attr } from './onnx-graph.js';
import { unsupported, weight, weightInitializer, type LayerConverter } from './layer-converter.js';

/**
 * `BatchNormalization` (inference) on the last axis → `(x − mean) · (γ / √(var + ε)) + β`, the
 * scale folded in double precision.
 */
export const convertBatchNormalization: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { axis: number; epsilon: number; center: boolean; scale: boolean };
  const rank = ctx.inputShapes[0]!.length;
  if (layer.axis !== -1 && layer.axis !== rank - 1) throw unsupported(ctx.layer, `axis ${layer.axis} (only the last axis)`);
  const mean = weight(ctx, 'moving_mean').dataSync();
  const variance = weight(ctx, 'moving_variance').dataSync();
  const gamma = layer.scale ? weight(ctx, 'gamma').dataSync() : null;
  const scale = Float32Array.from(variance, (v, i) => (gamma ? gamma[i]! : 1) / Math.sqrt(v + layer.epsilon));
  const g = ctx.graph;
  const name = ctx.layer.name;
  let y = g.node('Sub', [ctx.inputs[0]!, g.floats(`${name}/moving_mean`, mean as Float32Array, [mean.length])], {}, `${name}/center`);
  y = g.node('Mul', [y, g.floats(`${name}/scale`, scale, [scale.length])], {}, `${name}/scale`);
  if (layer.center) y = g.node('Add', [y, weightInitializer(ctx, 'beta')], {}, `${name}/shift`);
  return { outputs: [y] };
};

/** `LayerNormalization` over the last axis → ONNX LayerNormalization (opset 17). */
export const convertLayerNormalization: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { axis: number | number[]; epsilon: number; center: boolean; scale: boolean };
  const rank = ctx.inputShapes[0]!.length;
  const axes = (Array.isArray(layer.axis) ? layer.axis : [layer.axis]).map((a) => (a < 0 ? a + rank : a));
  if (axes.length !== 1 || axes[0] !== rank - 1) throw unsupported(ctx.layer, `axis ${JSON.stringify(layer.axis)} (only the last axis)`);
  const width = ctx.inputShapes[0]![rank - 1];
  if (typeof width !== 'number') throw unsupported(ctx.layer, 'the normalised axis has no fixed width');
  const g = ctx.graph;
  const scale = layer.scale ? weightInitializer(ctx, 'gamma') : g.floats(`${ctx.layer.name}/ones`, new Float32Array(width).fill(1), [width]);
  const inputs = [ctx.inputs[0]!, scale];
  if (layer.center) inputs.push(weightInitializer(ctx, 'beta'));
  return { outputs: [g.node('LayerNormalization', inputs, { axis: attr.int(-1), epsilon: attr.float(layer.epsilon) }, `${ctx.layer.name}/norm`)] };
};
