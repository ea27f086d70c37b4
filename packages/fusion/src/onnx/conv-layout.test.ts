import { initBackend } from '@metaseries/core';
import { onnxPairModel } from '../testing/onnx-equivalence.js';
import { onnxNodes } from '../testing/onnx-nodes.js';
import { exportOnnx } from './export-onnx.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/**
 * The shape of an exported convolution stack that onnxruntime turns into its fast form: 2-D
 * Convs ([B,C,1,T], what its blocked kernels take), each batch normalisation reading a Conv's
 * output directly (so it is folded into the weights) or InceptionTime's Concat of branches, and no
 * Squeeze → Unsqueeze or Transpose round trip between layers. (Equality of predictions is export-onnx.test.ts's job.)
 */
describe.each([['fcn'], ['resnet'], ['inception']] as const)('the exported %s stack', (encoder) => {
  it('stays in the 2-D convolution layout from the first convolution to the pooling', async () => {
    const nodes = onnxNodes(await exportOnnx(onnxPairModel(encoder, 'none')));
    const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    const convs = nodes.filter((n) => n.op === 'Conv');
    const norms = nodes.filter((n) => n.op === 'BatchNormalization');
    expect(convs.length).toBeGreaterThanOrEqual(2);
    expect(norms.length).toBeGreaterThanOrEqual(2);
    // a Conv's output (folded into it), or the branches a Concat joined (InceptionTime)
    for (const norm of norms) expect(['Conv', 'Concat']).toContain(producer.get(norm.inputs[0]!)?.op);
    for (const n of nodes.filter((x) => x.op === 'Unsqueeze')) expect(producer.get(n.inputs[0]!)?.op).not.toBe('Squeeze');
    // one way in (channels first) and one way out, whatever the depth
    expect(nodes.filter((n) => n.op === 'Transpose')).toHaveLength(2);
    expect(nodes.filter((n) => n.op === 'Squeeze')).toHaveLength(1);
  });
});
