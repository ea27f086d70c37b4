/** The nodes of a serialised ONNX model (op type, inputs, outputs), read back for structure tests. */
export interface OnnxNodeInfo {
  op: string;
  inputs: string[];
  outputs: string[];
}

/** Length-delimited fields of one protobuf message (varint fields skipped), as [field, start, end]. */
function* messageFields(buf: Uint8Array, start: number, end: number): Generator<[number, number, number]> {
  let p = start;
  const varint = (): number => {
    let r = 0;
    let s = 1;
    for (;;) {
      const b = buf[p++]!;
      r += (b & 0x7f) * s;
      if (!(b & 0x80)) return r;
      s *= 128;
    }
  };
  while (p < end) {
    const key = varint();
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint();
      yield [Math.floor(key / 8), p, p + len];
      p += len;
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else throw new Error(`unexpected wire type ${wire}`);
  }
}

/** Nodes of `ModelProto.graph` in file order. */
export function onnxNodes(model: Uint8Array): OnnxNodeInfo[] {
  const text = (s: number, e: number) => new TextDecoder().decode(model.subarray(s, e));
  const nodes: OnnxNodeInfo[] = [];
  for (const [f, gs, ge] of messageFields(model, 0, model.length)) {
    if (f !== 7) continue;
    for (const [g, ns, ne] of messageFields(model, gs, ge)) {
      if (g !== 1) continue;
      const node: OnnxNodeInfo = { op: '', inputs: [], outputs: [] };
      for (const [h, s, e] of messageFields(model, ns, ne)) {
        if (h === 1) node.inputs.push(text(s, e));
        else if (h === 2) node.outputs.push(text(s, e));
        else if (h === 4) node.op = text(s, e);
      }
      nodes.push(node);
    }
  }
  return nodes;
}
