import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend.js';
import { createRng } from '../../random.js';

/**
 * The kernels core adds or replaces on wasm, on the shapes and attributes the layer tests do not
 * reach: out-of-range segment ids, multi-dimensional ids, 2-D convolutions with strides and
 * padding, broadcast batch dimensions, and no leaked backend memory. Reference: cpu.
 * Tolerance: 1e-4 absolute + 1e-4 relative.
 */
const TOL = 1e-4;

function seeded(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

type Op = () => tf.Tensor;
type Shape4 = [number, number, number, number];

async function onBoth(op: Op): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  await tf.setBackend('cpu');
  const c = tf.tidy(op);
  const cpu = (await c.data()) as Float32Array;
  c.dispose();
  await tf.setBackend('wasm');
  const w = tf.tidy(op);
  const wasm = (await w.data()) as Float32Array;
  const shape = w.shape;
  w.dispose();
  return { cpu, wasm, shape };
}

function expectClose(cpu: Float32Array, wasm: Float32Array): void {
  expect(wasm.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) expect(Math.abs(cpu[i]! - wasm[i]!)).toBeLessThanOrEqual(TOL + TOL * Math.abs(cpu[i]!));
}

function wasmDataIds(): number {
  return (tf.engine().findBackend('wasm') as unknown as { numDataIds(): number }).numDataIds();
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await initBackend({ backend: 'wasm' });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('sums rows into segments and drops ids outside [0, numSegments), like cpu', async () => {
    const { cpu, wasm, shape } = await onBoth(() =>
      tf.unsortedSegmentSum(tf.tensor2d(seeded([6, 3], 1), [6, 3]), tf.tensor1d([0, 4, 2, -1, 4, 7], 'int32'), 5),
    );
    expect(shape).toEqual([5, 3]);
    expectClose(cpu, wasm);
    // segments 1 and 3 receive nothing; ids -1 and 7 are dropped
    expect(Array.from(wasm.slice(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(wasm.slice(9, 12))).toEqual([0, 0, 0]);
  });

  it('keeps the inner dimensions of a rank-4 input', async () => {
    const ids = Int32Array.from([1, 0, 1, 2, 2, 2]);
    const { cpu, wasm, shape } = await onBoth(() =>
      tf.unsortedSegmentSum(tf.tensor(seeded([6, 3, 2, 2], 2), [6, 3, 2, 2]), tf.tensor1d(ids, 'int32'), 3),
    );
    expect(shape).toEqual([3, 3, 2, 2]);
    expectClose(cpu, wasm);
  });

  it('is the gradient of gather, repeated ids accumulating', async () => {
    await import('@tensorflow/tfjs-layers'); // registers the gradients
    const { cpu, wasm } = await onBoth(() =>
      tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, tf.tensor2d([[3, 3], [0, 3]], [2, 2], 'int32')), 2)))(tf.zeros([5, 2])),
    );
    expectClose(cpu, wasm);
    expect(Array.from(wasm)).toEqual([2, 2, 0, 0, 0, 0, 6, 6, 0, 0]);
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  const cases: Array<[string, Shape4, Shape4, [number, number], 'same' | 'valid']> = [
    ['2-D, stride 1, same', [2, 5, 6, 3], [3, 3, 3, 4], [1, 1], 'same'],
    ['2-D, stride 2x1, valid', [2, 7, 5, 2], [3, 2, 2, 3], [2, 1], 'valid'],
    ['2-D, stride 2, same, even kernel', [1, 6, 6, 2], [2, 4, 2, 2], [2, 2], 'same'],
    ['1-D as 2-D (Conv1D), stride 3, valid', [3, 1, 13, 4], [1, 5, 4, 6], [1, 3], 'valid'],
  ];
  it.each(cases)('%s matches cpu', async (_name, xShape, fShape, strides, pad) => {
    const x = seeded(xShape, 3);
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(fShape) as tf.Tensor4D, strides, pad).shape);
    const dy = seeded(outShape, 4);
    const { cpu, wasm, shape } = await onBoth(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: tf.tensor(dy, outShape) }, {
        strides,
        pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: fShape,
      } as never) as tf.Tensor,
    );
    expect(shape).toEqual(fShape);
    expectClose(cpu, wasm);
  });
});

describe('transpose-first BatchMatMul on wasm', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['2-D, transposeB', [5, 7], [4, 7], false, true],
    ['2-D, transposeA', [7, 5], [7, 4], true, false],
    ['2-D, both', [7, 5], [4, 7], true, true],
    ['3-D batches, transposeB (attention scores)', [3, 6, 4], [3, 6, 4], false, true],
    ['broadcast batch [1] against [3], transposeA', [1, 4, 5], [3, 4, 2], true, false],
    ['no flags (the original kernel)', [2, 3, 4], [2, 4, 5], false, false],
  ];
  it.each(cases)('%s matches cpu and leaks no backend memory', async (_name, aShape, bShape, ta, tb) => {
    const a = seeded(aShape, 5);
    const b = seeded(bShape, 6);
    await tf.setBackend('wasm');
    const before = wasmDataIds();
    const { cpu, wasm } = await onBoth(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
    expectClose(cpu, wasm);
    expect(wasmDataIds()).toBe(before);
  });
});
