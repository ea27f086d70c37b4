import { activationName, applyActivation } from './activation-converter.js';
import { project, unsupported, type LayerConverter } from './layer-converter.js';

/** `Dense` → MatMul (+ Add) (+ activation), on any input rank (MatMul broadcasts like tfjs' dot). */
export const convertDense: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { useBias: boolean; activation: unknown };
  if (ctx.weights['kernel']?.rank !== 2) throw unsupported(ctx.layer, 'expected a 2-D kernel');
  const y = project(ctx, ctx.inputs[0]!, 'kernel', layer.useBias ? 'bias' : undefined);
  return { outputs: [applyActivation(ctx.graph, ctx.layer, activationName(layer.activation), y)] };
};
