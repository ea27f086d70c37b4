import { attr } from './onnx-graph.js';
import { unsupported, type LayerConverter } from './layer-converter.js';

/** The sinusoidal code `[t, d]`, computed exactly as `MetaseriesPositionalEncoding` does (double precision, then float32). */
function positionCode(t: number, d: number): Float32Array {
  const code = new Float32Array(t * d);
  for (let pos = 0; pos < t; pos++) {
    for (let i = 0; i < d; i++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
      code[pos * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return code;
}

/**
 * `MetaseriesPositionalEncoding` → Add of a constant table `[1, T, d]`; for a variable-length
 * model, a table of `maxTimeSteps` rows sliced to the batch's T.
 */
export const convertPositionalEncoding: LayerConverter = (ctx) => {
  const [, t, d] = ctx.inputShapes[0]!;
  if (typeof d !== 'number') throw unsupported(ctx.layer, 'its feature width is not fixed');
  const g = ctx.graph;
  const name = ctx.layer.name;
  const rows = typeof t === 'number' ? t : ctx.maxTimeSteps;
  let table = g.floats(`${name}/code`, positionCode(rows, d), [1, rows, d]);
  if (typeof t !== 'number') {
    const steps = g.node('Shape', [ctx.inputs[0]!], { start: attr.int(1), end: attr.int(2) }, `${name}/t`);
    table = g.node('Slice', [table, g.ints([0]), steps, g.ints([1])], {}, `${name}/code_t`);
  }
  return { outputs: [g.node('Add', [ctx.inputs[0]!, table], {}, `${name}/add`)] };
};
