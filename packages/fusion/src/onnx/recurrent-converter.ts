import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { activationName } from './activation-converter.js';
import { attr, type OnnxAttribute, type OnnxGraph } from './onnx-graph.js';
import { unsupported, type ConvertContext, type LayerConverter } from './layer-converter.js';
import { repeatConcat } from './metadata-fusion-converter.js';

type Kind = 'LSTM' | 'GRU';

/** One direction of a recurrent layer: its weights and activations as tfjs holds them. */
interface Direction {
  kernel: tf.Tensor;
  recurrentKernel: tf.Tensor;
  bias: tf.Tensor | null;
  /** tfjs activation names: recurrent (gates), then the candidate/output activation. */
  recurrentActivation: string;
  activation: string;
}

const ONNX_ACTIVATION: Record<string, { name: string; alpha?: number; beta?: number }> = {
  sigmoid: { name: 'Sigmoid' },
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  tanh: { name: 'Tanh' },
  relu: { name: 'Relu' },
};

/** ONNX gate `j` takes tfjs gate `GATE_ORDER[kind][j]`: LSTM tfjs i,f,c,o → ONNX i,o,f,c; GRU z,r,h in both. */
const GATE_ORDER: Record<Kind, number[]> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2] };

/** tfjs `[in, G·U]` (gates side by side) → ONNX `[G·U, in]` with the gates in ONNX order. */
function gateRows(w: tf.Tensor, kind: Kind, units: number): Float32Array {
  const [rows, cols] = w.shape as [number, number];
  const src = w.dataSync();
  const out = new Float32Array(rows * cols);
  GATE_ORDER[kind].forEach((from, to) => {
    for (let u = 0; u < units; u++) for (let r = 0; r < rows; r++) out[(to * units + u) * rows + r] = src[r * cols + from * units + u]!;
  });
  return out;
}

function gateBias(b: tf.Tensor | null, kind: Kind, units: number): Float32Array {
  const g = GATE_ORDER[kind].length;
  const out = new Float32Array(2 * g * units); // [Wb | Rb]; tfjs has one bias, on the input side
  if (!b) return out;
  const src = b.dataSync();
  GATE_ORDER[kind].forEach((from, to) => out.set(src.subarray(from * units, (from + 1) * units), to * units));
  return out;
}

/**
 * Runs an ONNX LSTM/GRU over `x [B,T,F]` and returns every direction's outputs `[B,T,U]`, equal
 * to tfjs' at every step. With a mask, the real steps of each record are first moved to the
 * front (stable order) and the op runs with `sequence_lens`; each step then reads the state of
 * the last real step at or before it (forward) or at or after it (backward), zero when there is
 * none — exactly what tfjs' masked RNN (which carries its state over padded steps, wherever they
 * are) gives.
 */
function runRecurrent(ctx: ConvertContext, kind: Kind, x: string, mask: string | null, directions: Direction[], units: number): string[] {
  const g = ctx.graph;
  const name = ctx.layer.name;
  const gates = GATE_ORDER[kind].length;
  const features = directions[0]!.kernel.shape[0]!;
  const d = directions.length;
  const cat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const W = g.floats(`${name}/W`, cat(directions.map((dir) => gateRows(dir.kernel, kind, units))), [d, gates * units, features]);
  const R = g.floats(`${name}/R`, cat(directions.map((dir) => gateRows(dir.recurrentKernel, kind, units))), [d, gates * units, units]);
  const B = g.floats(`${name}/B`, cat(directions.map((dir) => gateBias(dir.bias, kind, units))), [d, 2 * gates * units]);
  const activations: string[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  for (const dir of directions) {
    const names = kind === 'LSTM' ? [dir.recurrentActivation, dir.activation, dir.activation] : [dir.recurrentActivation, dir.activation];
    for (const n of names) {
      const a = ONNX_ACTIVATION[n];
      if (!a) throw unsupported(ctx.layer, `recurrent activation '${n}' has no ONNX equivalent`);
      activations.push(a.name);
      if (a.alpha !== undefined) alphas.push(a.alpha);
      if (a.beta !== undefined) betas.push(a.beta);
    }
  }
  const attributes: Record<string, OnnxAttribute> = {
    hidden_size: attr.int(units),
    direction: attr.string(d === 2 ? 'bidirectional' : 'forward'),
    activations: attr.strings(activations),
  };
  if (alphas.length) attributes['activation_alpha'] = attr.floats(alphas);
  if (betas.length) attributes['activation_beta'] = attr.floats(betas);
  if (kind === 'GRU') attributes['linear_before_reset'] = attr.int(0);

  if (!mask) {
    const xt = g.node('Transpose', [x], { perm: attr.ints([1, 0, 2]) }, `${name}/tbf`);
    const y = g.nodeMulti(kind, [xt, W, R, B], 1, attributes, `${name}/${kind.toLowerCase()}`)[0]!; // [T,D,B,U]
    const yb = g.node('Transpose', [y], { perm: attr.ints([2, 0, 1, 3]) }, `${name}/btdu`);
    return directions.map((_, i) => g.node('Gather', [yb, g.ints([i], true)], { axis: attr.int(2) }, `${name}/dir${i}`));
  }

  const shapeOf = (x: string, from: number, to: number, what: string) => g.node('Shape', [x], { start: attr.int(from), end: attr.int(to) }, `${name}/${what}`);
  const mi = g.node('Cast', [mask], { to: attr.int(7) }, `${name}/m_int`);
  const incl = g.node('CumSum', [mi, g.ints([1], true)], {}, `${name}/real_upto`); // real steps ≤ t
  const excl = g.node('Sub', [incl, mi], {}, `${name}/real_before`); // real steps < t
  const lens = g.node('ReduceSum', [mi, g.ints([1])], { keepdims: attr.int(1) }, `${name}/lens`); // [B,1]
  const bDim = shapeOf(x, 0, 1, 'b');
  const tDim = shapeOf(x, 1, 2, 't');
  const tScalar = g.node('Squeeze', [tDim, g.ints([0])], {}, `${name}/t_scalar`);
  const bScalar = g.node('Squeeze', [bDim, g.ints([0])], {}, `${name}/b_scalar`);
  const steps = g.node('Range', [g.ints([0], true), tScalar, g.ints([1], true)], {}, `${name}/steps`); // [T]
  const records = g.node('Unsqueeze', [g.node('Range', [g.ints([0], true), bScalar, g.ints([1], true)], {}, `${name}/records`), g.ints([1])], {}, `${name}/records_col`); // [B,1]
  // packed slot of every step: a real step → its rank among real steps; a padded step → after
  // all real ones, in order. `source` inverts it: the step that lands in each slot.
  const padSlot = g.node('Add', [lens, g.node('Sub', [steps, excl], {}, `${name}/pad_before`)], {}, `${name}/pad_slot`);
  const slot = g.node('Where', [mask, excl, padSlot], {}, `${name}/slot`); // [B,T]
  const source = g.node('ScatterElements', [slot, slot, g.node('Expand', [steps, g.node('Shape', [slot], {}, `${name}/bt`)], {}, `${name}/steps_bt`)], { axis: attr.int(1) }, `${name}/source`);
  // one Gather packs and goes time-major: row (slot j, record b) ← x[b, source[b, j]]
  const rowOfRecord = g.node('Mul', [records, tScalar], {}, `${name}/record_rows`); // [B,1] = b·T
  const inRows = g.node('Reshape', [g.node('Transpose', [g.node('Add', [rowOfRecord, source], {}, `${name}/in_rows_bt`)], { perm: attr.ints([1, 0]) }, `${name}/in_rows_tb`), g.ints([-1])], {}, `${name}/in_rows`);
  const xRows = g.node('Reshape', [x, g.ints([-1, features])], {}, `${name}/x_rows`);
  const tbf = g.node('Concat', [tDim, bDim, g.ints([features])], { axis: attr.int(0) }, `${name}/tbf_shape`);
  const xt = g.node('Reshape', [g.node('Gather', [xRows, inRows], { axis: attr.int(0) }, `${name}/packed_rows`), tbf], {}, `${name}/packed`);
  // a record without real steps runs one (ignored) step: ONNX wants lengths ≥ 1
  const seqLens = g.node('Cast', [g.node('Max', [g.node('Squeeze', [lens, g.ints([1])], {}, `${name}/lens1`), g.ints([1], true)], {}, `${name}/lens_min1`)], { to: attr.int(6) }, `${name}/seq_lens`);
  const y = g.nodeMulti(kind, [xt, W, R, B, seqLens], 1, attributes, `${name}/${kind.toLowerCase()}`)[0]!; // [T,D,B,U]
  const yRows = g.node('Reshape', [y, g.ints([-1, units])], {}, `${name}/y_rows`);
  const btu = g.node('Concat', [bDim, tDim, g.ints([units])], { axis: attr.int(0) }, `${name}/btu_shape`);
  // step t of record b reads packed slot `index` of direction `dir`: row (index·D + dir)·B + b
  const pick = (dir: number, index: string, valid: string) => {
    const slotRow = g.node('Mul', [g.node('Add', [g.node('Mul', [index, g.ints([d], true)], {}, `${name}/slot_d`), g.ints([dir], true)], {}, `${name}/slot_dir`), bScalar], {}, `${name}/slot_rows`);
    const rows = g.node('Reshape', [g.node('Add', [slotRow, records], {}, `${name}/out_rows_bt`), g.ints([-1])], {}, `${name}/out_rows`);
    const picked = g.node('Reshape', [g.node('Gather', [yRows, rows], { axis: attr.int(0) }, `${name}/unpacked_rows`), btu], {}, `${name}/unpacked${dir}`);
    const keep = g.node('Unsqueeze', [g.node('Cast', [valid], { to: attr.int(1) }, `${name}/valid_f`), g.ints([-1])], {}, `${name}/valid3`);
    return g.node('Mul', [picked, keep], {}, `${name}/out${dir}`);
  };
  const outs = [
    pick(0, g.node('Max', [g.node('Sub', [incl, g.ints([1], true)], {}, `${name}/last_real`), g.ints([0], true)], {}, `${name}/fwd_index`), g.node('Greater', [incl, g.ints([0], true)], {}, `${name}/fwd_valid`)),
  ];
  if (d === 2) outs.push(pick(1, excl, g.node('Less', [excl, lens], {}, `${name}/bwd_valid`)));
  return outs;
}

/** The last step of `[B,T,U]` (`index` -1) or the first (0), as `[B,U]`. */
function stepOf(g: OnnxGraph, y: string, index: number, base: string): string {
  return g.node('Gather', [y, g.ints([index], true)], { axis: attr.int(1) }, base);
}

interface RnnLayer {
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  cell: { units: number; activation: unknown; recurrentActivation: unknown; useBias: boolean; resetAfter?: boolean };
  getWeights(): tf.Tensor[];
  getClassName(): string;
}

function kindOf(layer: RnnLayer, owner: tfl.layers.Layer): Kind {
  const cls = layer.getClassName();
  if (cls === 'LSTM' || cls === 'GRU') return cls;
  throw unsupported(owner, `wrapped layer ${cls} (only LSTM and GRU)`);
}

function direction(layer: RnnLayer, owner: tfl.layers.Layer): Direction {
  if (layer.returnState || layer.stateful) throw unsupported(owner, 'returnState/stateful recurrent layers');
  const [kernel, recurrentKernel, bias] = layer.getWeights();
  return {
    kernel: kernel!,
    recurrentKernel: recurrentKernel!,
    bias: layer.cell.useBias ? bias! : null,
    recurrentActivation: activationName(layer.cell.recurrentActivation),
    activation: activationName(layer.cell.activation),
  };
}

/** tfjs-layers `LSTM` / `GRU` (forward, with or without a propagated mask) → ONNX LSTM / GRU. */
export const convertRecurrent: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as RnnLayer;
  const kind = kindOf(layer, ctx.layer);
  if (layer.goBackwards) throw unsupported(ctx.layer, 'goBackwards outside Bidirectional');
  const [y] = runRecurrent(ctx, kind, ctx.inputs[0]!, ctx.mask, [direction(layer, ctx.layer)], layer.cell.units);
  if (layer.returnSequences) return { outputs: [y!], mask: ctx.mask };
  return { outputs: [stepOf(ctx.graph, y!, -1, `${ctx.layer.name}/last`)], mask: null };
};

/** `Bidirectional(LSTM|GRU, mergeMode 'concat')` → one bidirectional ONNX LSTM / GRU. */
export const convertBidirectional: LayerConverter = (ctx) => {
  const layer = ctx.layer as unknown as { forwardLayer: RnnLayer; backwardLayer: RnnLayer; mergeMode: string; returnSequences: boolean };
  if (layer.mergeMode !== 'concat') throw unsupported(ctx.layer, `mergeMode '${layer.mergeMode}' (only concat)`);
  const kind = kindOf(layer.forwardLayer, ctx.layer);
  const dirs = [direction(layer.forwardLayer, ctx.layer), direction(layer.backwardLayer, ctx.layer)];
  const [fwd, bwd] = runRecurrent(ctx, kind, ctx.inputs[0]!, ctx.mask, dirs, layer.forwardLayer.cell.units) as [string, string];
  const g = ctx.graph;
  const name = ctx.layer.name;
  if (layer.forwardLayer.returnSequences) return { outputs: [g.node('Concat', [fwd, bwd], { axis: attr.int(-1) }, `${name}/concat`)], mask: ctx.mask };
  // the backward layer's final state is the one reached at the first step
  const last = g.node('Concat', [stepOf(g, fwd, -1, `${name}/fwd_last`), stepOf(g, bwd, 0, `${name}/bwd_last`)], { axis: attr.int(-1) }, `${name}/concat`);
  return { outputs: [last], mask: null };
};

/**
 * A fused recurrent layer over `[x, mask?]`, or `[x, mask?, context]` (`staticContext`: the
 * context expanded over time and concatenated to x, which the layer's `[F + D, 4U]` kernel
 * reads): its own weights, run as one forward ONNX LSTM/GRU.
 */
function convertFused(ctx: Parameters<LayerConverter>[0], kind: Kind, recurrentActivation: string): ReturnType<LayerConverter> {
  const layer = ctx.layer as unknown as { units: number; returnSequences: boolean; staticContext?: boolean };
  const g = ctx.graph;
  const name = ctx.layer.name;
  const inputs = [...ctx.inputs];
  const context = layer.staticContext ? inputs.pop() : undefined;
  const [xIn, maskIn] = inputs as [string, string | undefined];
  const x = context ? repeatConcat(g, xIn, context, `${name}/context`) : xIn;
  const mask = maskIn ? g.node('Greater', [maskIn, g.node('CastLike', [g.scalar(0), maskIn], {}, `${name}/zero`)], {}, `${name}/real`) : null;
  const dir: Direction = {
    kernel: ctx.weights['kernel']!,
    recurrentKernel: ctx.weights['recurrent_kernel']!,
    bias: ctx.weights['bias']!,
    recurrentActivation,
    activation: 'tanh',
  };
  if (!dir.kernel || !dir.recurrentKernel || !dir.bias) throw unsupported(ctx.layer, 'missing kernel, recurrent_kernel or bias');
  const [y] = runRecurrent(ctx, kind, x, mask, [dir], layer.units);
  return { outputs: [layer.returnSequences ? y! : stepOf(g, y!, -1, `${name}/last`)], mask: null };
}

/** `MetaseriesFusedLstm` (sigmoid gates, state carried over steps with mask ≤ 0) → ONNX LSTM. */
export const convertFusedLstm: LayerConverter = (ctx) => convertFused(ctx, 'LSTM', 'sigmoid');

/**
 * `MetaseriesFusedGru` (tfjs-layers GRU maths, `hardSigmoid` or `sigmoid` gates, state carried
 * over steps with mask ≤ 0) → ONNX GRU (`linear_before_reset` 0).
 */
export const convertFusedGru: LayerConverter = (ctx) =>
  convertFused(ctx, 'GRU', (ctx.layer as unknown as { recurrentActivation?: string }).recurrentActivation ?? 'hardSigmoid');
