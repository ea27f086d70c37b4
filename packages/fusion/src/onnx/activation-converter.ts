import * as tfl from '@tensorflow/tfjs-layers';
import { attr, type OnnxGraph } from './onnx-graph.js';
import { unsupported, type ConvertContext, type LayerConverter } from './layer-converter.js';

/** tfjs-layers' name of a layer's activation function (`relu`, `linear`, ...). */
export function activationName(activation: unknown): string {
  const a = activation as { getClassName?: () => string } | string | undefined;
  if (a === undefined || a === null) return 'linear';
  if (typeof a === 'string') return a;
  const cls = a.getClassName?.() ?? 'linear';
  // class names are e.g. 'relu', 'linear', 'softmax', 'hardSigmoid'
  return cls;
}

/** Applies the tfjs activation `name` to `x` as ONNX nodes; throws for one without an exact equivalent. */
export function applyActivation(graph: OnnxGraph, layer: tfl.layers.Layer, name: string, x: string): string {
  const base = `${layer.name}/${name}`;
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return graph.node('Relu', [x], {}, base);
    case 'sigmoid':
      return graph.node('Sigmoid', [x], {}, base);
    case 'tanh':
      return graph.node('Tanh', [x], {}, base);
    case 'softmax':
      return graph.node('Softmax', [x], { axis: attr.int(-1) }, base);
    case 'elu':
      return graph.node('Elu', [x], { alpha: attr.float(1) }, base);
    case 'selu':
      return graph.node('Selu', [x], {}, base);
    case 'softplus':
      return graph.node('Softplus', [x], {}, base);
    case 'softsign':
      return graph.node('Softsign', [x], {}, base);
    case 'hardSigmoid':
      return graph.node('HardSigmoid', [x], { alpha: attr.float(0.2), beta: attr.float(0.5) }, base);
    case 'relu6':
      return graph.node('Clip', [x, graph.scalar(0), graph.scalar(6)], {}, base);
    default:
      throw unsupported(layer, `activation '${name}' has no exact ONNX equivalent here`);
  }
}

/** `Activation` layer → the activation's ONNX op. */
export const convertActivation: LayerConverter = (ctx: ConvertContext) => {
  const layer = ctx.layer as unknown as { activation: unknown };
  const g = ctx.graph;
  const name = activationName(layer.activation);
  const x = ctx.inputs[0]!;
  // after a convolution, an elementwise activation runs in its [B,C,1,T] layout
  const x4 = g.nc1tOf(x);
  if (x4 && name !== 'softmax' && name !== 'linear') return { outputs: [g.fromNc1t(applyActivation(g, ctx.layer, name, x4), ctx.layer.name)] };
  return { outputs: [applyActivation(g, ctx.layer, name, x)] };
};

/** `Dropout` (and other training-only layers) → identity at inference. */
export const convertIdentity: LayerConverter = (ctx) => ({ outputs: [ctx.inputs[0]!] });
