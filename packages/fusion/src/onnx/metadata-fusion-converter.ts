import { attr, type OnnxGraph } from './onnx-graph.js';
import { project, weightInitializer, type LayerConverter } from './layer-converter.js';

/** `MetaseriesRepeatConcat` → Expand the vector over time, Concat on the feature axis. */
export const convertRepeatConcat: LayerConverter = (ctx) => {
  const [x, v] = ctx.inputs as [string, string];
  return { outputs: [repeatConcat(ctx.graph, x, v, ctx.layer.name)] };
};

/** `[x [B,T,F], v [B,D]] → [B,T,F+D]`: `v` expanded over time and concatenated to every step of `x`. */
export function repeatConcat(g: OnnxGraph, x: string, v: string, name: string): string {
  const shape = g.node(
    'Concat',
    [g.node('Shape', [x], { start: attr.int(0), end: attr.int(2) }, `${name}/bt`), g.node('Shape', [v], { start: attr.int(1), end: attr.int(2) }, `${name}/d`)],
    { axis: attr.int(0) },
    `${name}/shape`,
  );
  const repeated = g.node('Expand', [g.node('Unsqueeze', [v, g.ints([1])], {}, `${name}/v3`), shape], {}, `${name}/repeated`);
  return g.node('Concat', [x, repeated], { axis: attr.int(2) }, `${name}/concat`);
}

/** Adds a time axis to a `[B,F]` modulation when the features are `[B,T,F]`. */
function alongTime(ctx: Parameters<LayerConverter>[0], y: string): string {
  return ctx.inputShapes[0]!.length === 3 ? ctx.graph.node('Unsqueeze', [y, ctx.graph.ints([1])], {}, `${ctx.layer.name}/over_time`) : y;
}

/** `MetaseriesFilm` → `x · (1 + m·Wγ + bγ) + (m·Wβ + bβ)`. */
export const convertFilm: LayerConverter = (ctx) => {
  const g = ctx.graph;
  const name = ctx.layer.name;
  const [x, meta] = ctx.inputs as [string, string];
  const gamma = alongTime(ctx, project(ctx, meta, 'gamma_kernel', 'gamma_bias'));
  const beta = alongTime(ctx, project(ctx, meta, 'beta_kernel', 'beta_bias'));
  const scaled = g.node('Mul', [x, g.node('Add', [gamma, g.scalar(1)], {}, `${name}/one_plus_gamma`)], {}, `${name}/scaled`);
  return { outputs: [g.node('Add', [scaled, beta], {}, `${name}/shifted`)] };
};

/** `MetaseriesMetadataGate` → `η = elu(x·Wf + m·Wm + b)`, `x + σ(η·Wg + bg) ⊙ (η·Wv + bv)`. */
export const convertMetadataGate: LayerConverter = (ctx) => {
  const g = ctx.graph;
  const name = ctx.layer.name;
  const [x, meta] = ctx.inputs as [string, string];
  const m = alongTime(ctx, project(ctx, meta, 'metadata_kernel'));
  const pre = g.node('Add', [g.node('Add', [project(ctx, x, 'feature_kernel'), m], {}, `${name}/fm`), weightInitializer(ctx, 'hidden_bias')], {}, `${name}/pre`);
  const hidden = g.node('Elu', [pre], { alpha: attr.float(1) }, `${name}/hidden`);
  const gate = g.node('Sigmoid', [project(ctx, hidden, 'gate_kernel', 'gate_bias')], {}, `${name}/gate`);
  const update = project(ctx, hidden, 'value_kernel', 'value_bias');
  return { outputs: [g.node('Add', [x, g.node('Mul', [gate, update], {}, `${name}/gated`)], {}, `${name}/residual`)] };
};
