import { ProtobufWriter } from './protobuf-writer.js';

/** ONNX `TensorProto.DataType` codes used by the exporter. */
export const ONNX_FLOAT = 1;
/** ONNX int32 element type. */
export const ONNX_INT32 = 6;
/** ONNX int64 element type. */
export const ONNX_INT64 = 7;
/** ONNX bool element type. */
export const ONNX_BOOL = 9;

/** One node attribute, typed as ONNX's `AttributeProto` needs it. */
export type OnnxAttribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'strings'; value: readonly string[] };

/** Attribute constructors: `attr.int(1)`, `attr.floats([0.2])`, ... */
export const attr = {
  int: (value: number): OnnxAttribute => ({ type: 'int', value }),
  float: (value: number): OnnxAttribute => ({ type: 'float', value }),
  string: (value: string): OnnxAttribute => ({ type: 'string', value }),
  ints: (value: readonly number[]): OnnxAttribute => ({ type: 'ints', value }),
  floats: (value: readonly number[]): OnnxAttribute => ({ type: 'floats', value }),
  strings: (value: readonly string[]): OnnxAttribute => ({ type: 'strings', value }),
};

interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array;
}

/** A graph input or output: name, element type and shape (`string` dims are symbolic, e.g. `batch`). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: Array<number | string>;
}

/**
 * An ONNX graph under construction: unique value names, nodes in the order they are added
 * (which must be topological), float and int64 initializers (deduplicated constants).
 */
export class OnnxGraph {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly nc1t = new Map<string, string>();

  /**
   * Records that `nc1t` holds the values of the channels-last sequence `ntc` (`[B,T,C]`) laid
   * out `[B,C,1,T]`, the layout of the 2-D Conv a Conv1D exports to, so that the next layer can
   * read it without a Transpose and an Unsqueeze (onnxruntime cancels Transpose pairs but not
   * Squeeze/Unsqueeze pairs, which would keep a batch normalisation out of its convolution).
   */
  setNc1t(ntc: string, nc1t: string): void {
    this.nc1t.set(ntc, nc1t);
  }

  /** The `[B,C,1,T]` twin of a channels-last sequence, or `undefined` when none was recorded. */
  nc1tOf(ntc: string): string | undefined {
    return this.nc1t.get(ntc);
  }

  /** `x` (`[B,T,C]`) as `[B,C,1,T]`: its recorded twin, else a Transpose and an Unsqueeze. */
  toNc1t(x: string, base: string): string {
    let twin = this.nc1tOf(x);
    if (!twin) {
      twin = this.node('Unsqueeze', [this.node('Transpose', [x], { perm: attr.ints([0, 2, 1]) }, `${base}/to_nct`), this.ints([2])], {}, `${base}/to_nc1t`);
      this.setNc1t(x, twin); // a second reader (a residual shortcut) reuses it
    }
    return twin;
  }

  /** `y` (`[B,C,1,T]`) back to channels last (`[B,T,C]`), recorded as its twin. */
  fromNc1t(y: string, base: string): string {
    const ntc = this.node('Transpose', [this.node('Squeeze', [y, this.ints([2])], {}, `${base}/to_nct_out`)], { perm: attr.ints([0, 2, 1]) }, `${base}/to_ntc`);
    this.setNc1t(ntc, y);
    return ntc;
  }

  /** A value name not used yet, derived from `base`. */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_/.:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input (its name is taken as is). */
  addInput(info: OnnxValueInfo): string {
    this.used.add(info.name);
    this.inputs.push(info);
    return info.name;
  }

  /** Declares `value` as a graph output named `info.name` (through an Identity when they differ). */
  addOutput(value: string, info: OnnxValueInfo): void {
    if (value !== info.name) {
      if (this.used.has(info.name)) throw new Error(`onnx: output name ${info.name} is already used`);
      this.used.add(info.name);
      this.nodes.push({ op: 'Identity', name: this.unique(`${info.name}/identity`), inputs: [value], outputs: [info.name], attributes: {} });
    }
    this.outputs.push(info);
  }

  /** Adds a node with `outputs` outputs and returns their names. An empty input name is an omitted optional input. */
  nodeMulti(op: string, inputs: string[], outputs: number, attributes: Record<string, OnnxAttribute> = {}, base = op): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.unique(`${base}${outputs > 1 ? `:${i}` : ''}`));
    this.nodes.push({ op, name: this.unique(`${base}/node`), inputs, outputs: names, attributes });
    return names;
  }

  /** Adds a one-output node and returns its output's name. */
  node(op: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}, base = op): string {
    return this.nodeMulti(op, inputs, 1, attributes, base)[0]!;
  }

  /** A float32 initializer. */
  floats(base: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`onnx: initializer ${base} has ${values.length} values for shape [${dims.join(', ')}]`);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    const name = this.unique(base);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_FLOAT, raw });
    return name;
  }

  /** An int64 initializer. */
  int64s(base: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    const raw = new Uint8Array(data.length * 8);
    const view = new DataView(raw.buffer);
    data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    const name = this.unique(base);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_INT64, raw });
    return name;
  }

  /** A shared float32 scalar constant. */
  scalar(value: number): string {
    const key = `f:${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.floats(`const_f_${this.constants.size}`, [value], []);
      this.constants.set(key, name);
    }
    return name;
  }

  /** A shared int64 constant: a 1-D list, or a scalar when `scalar` is set. */
  ints(values: readonly number[], scalar = false): string {
    const key = `i${scalar ? 's' : ''}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.int64s(`const_i_${this.constants.size}`, values, scalar ? [] : [values.length]);
      this.constants.set(key, name);
    }
    return name;
  }

  /** Serialises the graph as an ONNX `ModelProto`. */
  toModelProto(options: { name: string; opset: number; irVersion: number; producerName: string; producerVersion: string; docString?: string }): Uint8Array {
    const w = new ProtobufWriter();
    w.int(1, options.irVersion);
    w.string(2, options.producerName);
    w.string(3, options.producerVersion);
    if (options.docString) w.string(6, options.docString);
    // only what the outputs depend on: a converter may emit a layout no later node reads
    const live = new Set(this.outputs.map((o) => o.name));
    const nodes = liveNodes(this.nodes, live);
    w.message(7, (g) => {
      for (const n of nodes) g.message(1, (m) => writeNode(m, n));
      g.string(2, options.name);
      for (const t of this.initializers) if (live.has(t.name)) g.message(5, (m) => writeTensor(m, t));
      for (const i of this.inputs) g.message(11, (m) => writeValueInfo(m, i));
      for (const o of this.outputs) g.message(12, (m) => writeValueInfo(m, o));
    });
    w.message(8, (o) => {
      o.string(1, '');
      o.int(2, options.opset);
    });
    return w.finish();
  }
}

/** The nodes, in order, that `live` (the graph outputs) depends on; adds their inputs to `live`. */
function liveNodes(all: readonly OnnxNode[], live: Set<string>): OnnxNode[] {
  const keep: OnnxNode[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const n = all[i]!;
    if (!n.outputs.some((o) => live.has(o))) continue;
    keep.push(n);
    for (const input of n.inputs) live.add(input);
  }
  return keep.reverse();
}

function writeNode(w: ProtobufWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, a] of Object.entries(n.attributes)) w.message(5, (m) => writeAttribute(m, name, a));
}

// AttributeProto.AttributeType codes
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;

function writeAttribute(w: ProtobufWriter, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'floats':
      for (const v of a.value) w.float(7, v);
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v);
      break;
    case 'strings':
      for (const v of a.value) w.string(9, v);
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.type]);
}

function writeTensor(w: ProtobufWriter, t: OnnxInitializer): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function writeValueInfo(w: ProtobufWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}
