import { attr } from './onnx-graph.js';
import { unsupported, weightInitializer, type LayerConverter } from './layer-converter.js';

/**
 * `BatchNormalization` (inference) on the last axis → ONNX BatchNormalization with the channels
 * on axis 1: a sequence goes to (or already is in) the `[B,C,1,T]` layout of an exported Conv1D,
 * so that onnxruntime folds the normalisation into the convolution.
 */
export const convertBatchNormalization: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { axis: number; epsilon: number; center: boolean; scale: boolean };
  const rank = ctx.inputShapes[0]!.length;
  if (layer.axis !== -1 && layer.axis !== rank - 1) throw unsupported(ctx.layer, `axis ${layer.axis} (only the last axis)`);
  const width = ctx.inputShapes[0]![rank - 1];
  if (typeof width !== 'number') throw unsupported(ctx.layer, 'the normalised axis has no fixed width');
  const g = ctx.graph;
  const name = ctx.layer.name;
  const constant = (value: number, what: string) => g.floats(`${name}/${what}`, new Float32Array(width).fill(value), [width]);
  const scale = layer.scale ? weightInitializer(ctx, 'gamma') : constant(1, 'ones');
  const shift = layer.center ? weightInitializer(ctx, 'beta') : constant(0, 'zeros');
  const stats = [scale, shift, weightInitializer(ctx, 'moving_mean'), weightInitializer(ctx, 'moving_variance')];
  const epsilon = { epsilon: attr.float(layer.epsilon) };
  if (rank === 2) return { outputs: [g.node('BatchNormalization', [ctx.inputs[0]!, ...stats], epsilon, `${name}/norm`)] };
  if (rank === 3) {
    // a sequence in the 2-D Conv layout [B,C,1,T]: onnxruntime folds it into that convolution
    return { outputs: [g.fromNc1t(g.node('BatchNormalization', [g.toNc1t(ctx.inputs[0]!, name), ...stats], epsilon, `${name}/norm`), name)] };
  }
  const toFirst = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  const toLast = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
  const x = g.node('Transpose', [ctx.inputs[0]!], { perm: attr.ints(toFirst) }, `${name}/channels_first`);
  const y = g.node('BatchNormalization', [x, ...stats], epsilon, `${name}/norm`);
  return { outputs: [g.node('Transpose', [y], { perm: attr.ints(toLast) }, `${name}/channels_last`)] };
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
