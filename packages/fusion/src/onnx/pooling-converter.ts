import { attr } from './onnx-graph.js';
import { samePads } from './conv1d-converter.js';
import { unsupported, type LayerConverter } from './layer-converter.js';

/** `MaxPooling1D` → a 2-D MaxPool in the `[B,C,1,T]` layout (padding never wins a max, as in tfjs). */
export const convertMaxPooling1d: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { poolSize: number[]; strides: number[]; padding: string; dataFormat?: string };
  const size = layer.poolSize[0]!;
  const stride = layer.strides[0]!;
  let pads: [number, number];
  if (layer.padding === 'valid') pads = [0, 0];
  else if (layer.padding === 'same' && stride === 1) pads = samePads(size);
  else throw unsupported(ctx.layer, `padding '${layer.padding}' with stride ${stride}`);
  const g = ctx.graph;
  const name = ctx.layer.name;
  // in the [B,C,1,T] layout of the convolutions around it (InceptionTime's pooling branch)
  const y = g.node('MaxPool', [g.toNc1t(ctx.inputs[0]!, name)], { kernel_shape: attr.ints([1, size]), strides: attr.ints([1, stride]), pads: attr.ints([0, pads[0], 0, pads[1]]) }, `${name}/pool`);
  return { outputs: [g.fromNc1t(y, name)] };
};

/** `GlobalAveragePooling1D` → ReduceMean over the time axis (every step counts, as in tfjs). */
export const convertGlobalAveragePooling1d: LayerConverter = (ctx) => ({
  outputs: [ctx.graph.node('ReduceMean', [ctx.inputs[0]!], { axes: attr.ints([1]), keepdims: attr.int(0) }, `${ctx.layer.name}/mean`)],
});
