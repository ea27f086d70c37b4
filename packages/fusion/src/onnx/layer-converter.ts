import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import type { OnnxGraph } from './onnx-graph.js';

/** A static shape as tfjs-layers knows it: `null` for the batch and any variable axis. */
export type StaticShape = Array<number | null>;

/** What a converter receives for one application of a layer (one inbound node). */
export interface ConvertContext {
  /** The graph to add nodes to. */
  graph: OnnxGraph;
  /** The layer being converted. */
  layer: tfl.layers.Layer;
  /** ONNX value names of the layer's inputs, in call order. */
  inputs: string[];
  /** Their static shapes (batch first). */
  inputShapes: StaticShape[];
  /**
   * The tfjs-layers mask that reaches the layer's first input (an ONNX bool `[B,T]`), or null.
   * Only recurrent layers read it, as tfjs-layers does.
   */
  mask: string | null;
  /** The layer's weights by their own short name (`kernel`, `gamma_kernel`, ...). */
  weights: Record<string, tf.Tensor>;
  /** Longest series a variable-length positional encoding table covers. */
  maxTimeSteps: number;
}

/** What a converter returns: one ONNX value per layer output, and the mask its first output carries. */
export interface ConvertResult {
  outputs: string[];
  /** The mask tfjs-layers propagates from this layer's output (bool `[B,T]`), or null. */
  mask?: string | null;
}

/** Turns one tfjs-layers layer application into ONNX nodes. */
export type LayerConverter = (ctx: ConvertContext) => ConvertResult;

/** The error every converter throws for a layer (or a setting of one) it cannot reproduce exactly. */
export function unsupported(layer: tfl.layers.Layer, why: string): MetaseriesError {
  return new MetaseriesError(
    'ONNX_UNSUPPORTED_LAYER',
    `layer ${layer.name} (${layer.getClassName()}) cannot be exported to ONNX: ${why}; predict with tfjs instead`,
    { field: layer.name, value: layer.getClassName(), expected: 'a layer with an exact ONNX equivalent' },
  );
}

/** A weight of the layer as a float32 array, or an ONNX_UNSUPPORTED_LAYER error when missing. */
export function weight(ctx: ConvertContext, name: string): tf.Tensor {
  const w = ctx.weights[name];
  if (!w) throw unsupported(ctx.layer, `it has no weight named ${name} (has ${Object.keys(ctx.weights).join(', ') || 'none'})`);
  return w;
}

/** Adds a weight as a float32 initializer named `<layer>/<name>`. */
export function weightInitializer(ctx: ConvertContext, name: string): string {
  const w = weight(ctx, name);
  return ctx.graph.floats(`${ctx.layer.name}/${name}`, w.dataSync() as Float32Array, w.shape);
}

/** `x · W (+ b)` over the last axis of `x` (any rank), with the layer's named weights. */
export function project(ctx: ConvertContext, x: string, kernel: string, bias?: string): string {
  const y = ctx.graph.node('MatMul', [x, weightInitializer(ctx, kernel)], {}, `${ctx.layer.name}/matmul`);
  return bias ? ctx.graph.node('Add', [y, weightInitializer(ctx, bias)], {}, `${ctx.layer.name}/bias`) : y;
}
