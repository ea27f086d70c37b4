import { attr } from './onnx-graph.js';
import { samePads } from './conv1d-converter.js';
import { unsupported, type LayerConverter } from './layer-converter.js';

/** `MaxPooling1D` → Transpose, MaxPool (padding never wins a max, as in tfjs), Transpose back. */
export const convertMaxPooling1d: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { poolSize: number[]; strides: number[]; padding: string; dataFormat?: string };
  const size = layer.poolSize[0]!;
  const stride = layer.strides[0]!;
  let pads: [number, number];
  if (layer.padding === 'valid') pads = [0, 0];
  else if (layer.padding === 'same' && stride === 1) pads = samePads(size);
  else throw unsupported(ctx.layer, `padding '${layer.padding}' with stride ${stride}`);
  const g = ctx.graph;
  const x = g.node('Transpose', [ctx.inputs[0]!], { perm: attr.ints([0, 2, 1]) }, `${ctx.layer.name}/to_nct`);
  const y = g.node('MaxPool', [x], { kernel_shape: attr.ints([size]), strides: attr.ints([stride]), pads: attr.ints(pads) }, `${ctx.layer.name}/pool`);
  return { outputs: [g.node('Transpose', [y], { perm: attr.ints([0, 2, 1]) }, `${ctx.layer.name}/to_ntc`)] };
};

/** `GlobalAveragePooling1D` → ReduceMean over the time axis (every step counts, as in tfjs). */
export const convertGlobalAveragePooling1d: LayerConverter = (ctx) => ({
  outputs: [ctx.graph.node('ReduceMean', [ctx.inputs[0]!], { axes: attr.ints([1]), keepdims: attr.int(0) }, `${ctx.layer.name}/mean`)],
});
