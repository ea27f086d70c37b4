import { activationName, applyActivation } from './activation-converter.js';
import { attr } from './onnx-graph.js';
import { unsupported, weight, type LayerConverter } from './layer-converter.js';

/** Explicit [left, right] padding of a stride-1 'same' window of `size` (TensorFlow puts the extra one on the right). */
export function samePads(size: number): [number, number] {
  const total = size - 1;
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * `Conv1D` (channels last) → Transpose to `[B,C,T]`, Conv with the kernel as `[out, in, k]`,
 * Transpose back (+ activation). 'valid' and stride-1 'same' padding; dilations kept.
 */
export const convertConv1d: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as {
    kernelSize: number[];
    strides: number[];
    dilationRate: number[] | number;
    padding: string;
    dataFormat: string;
    useBias: boolean;
    activation: unknown;
  };
  const k = layer.kernelSize[0]!;
  const stride = layer.strides[0]!;
  const dilation = Array.isArray(layer.dilationRate) ? layer.dilationRate[0]! : layer.dilationRate;
  if (layer.dataFormat !== 'channelsLast') throw unsupported(ctx.layer, `dataFormat ${layer.dataFormat}`);
  let pads: [number, number];
  if (layer.padding === 'valid') pads = [0, 0];
  else if (layer.padding === 'same' && stride === 1) pads = samePads((k - 1) * dilation + 1);
  else throw unsupported(ctx.layer, `padding '${layer.padding}' with stride ${stride}`);
  const kernel = weight(ctx, 'kernel'); // [k, in, out]
  const [kk, cin, cout] = kernel.shape as [number, number, number];
  const src = kernel.dataSync();
  const w = new Float32Array(kk * cin * cout); // [out, in, k]
  for (let t = 0; t < kk; t++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) w[(o * cin + i) * kk + t] = src[(t * cin + i) * cout + o]!;
  const g = ctx.graph;
  const inputs = [g.node('Transpose', [ctx.inputs[0]!], { perm: attr.ints([0, 2, 1]) }, `${ctx.layer.name}/to_nct`), g.floats(`${ctx.layer.name}/kernel`, w, [cout, cin, kk])];
  if (layer.useBias) {
    const b = weight(ctx, 'bias');
    inputs.push(g.floats(`${ctx.layer.name}/bias`, b.dataSync() as Float32Array, b.shape));
  }
  const conv = g.node(
    'Conv',
    inputs,
    { kernel_shape: attr.ints([kk]), strides: attr.ints([stride]), dilations: attr.ints([dilation]), pads: attr.ints(pads), group: attr.int(1) },
    `${ctx.layer.name}/conv`,
  );
  const y = g.node('Transpose', [conv], { perm: attr.ints([0, 2, 1]) }, `${ctx.layer.name}/to_ntc`);
  return { outputs: [applyActivation(g, ctx.layer, activationName(layer.activation), y)] };
};
