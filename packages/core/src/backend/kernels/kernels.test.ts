import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend.js';
import { createRng } from '../../random.js';
import { fusedBatchNormGradConfig } from './fused-batch-norm-grad.js';
import { meanGradConfig, sumGradConfig } from './reduction-grads.js';
import { setSmallMatMulSimd } from './small-batched-mat-mul.js';

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
    ['small batched: attention scores, one query per record', [6, 1, 8], [6, 5, 8], false, true],
    ['small batched: attention-weighted sum', [6, 1, 5], [6, 5, 8], false, false],
    ['small batched, rank 4: the scores gradient', [4, 2, 1, 7], [4, 2, 1, 3], true, false],
    ['small batched, both flags', [3, 5, 4], [3, 6, 5], true, true],
    ['small batched, broadcast [1] against [5]', [1, 3, 4], [5, 4, 2], false, false],
    ['small batched, k not a multiple of 4 (SIMD tails)', [3, 2, 7], [3, 5, 7], false, true],
    ['small batched, n not a multiple of 4, transposeA', [3, 6, 2], [3, 6, 5], true, false],
    ['large batched (the original kernel)', [2, 70, 40], [2, 40, 30], false, false],
    ['large batched, transposeA: each matrix transposed on its own', [2, 40, 70], [2, 40, 30], true, false],
    ['large batched, rank 4, transposeB', [2, 2, 70, 41], [2, 2, 30, 41], false, true],
    ['2-D, a Dense weight gradient over time (odd edges)', [643, 65], [643, 17], true, false],
  ];
  it.each(cases)('%s matches cpu and leaks no backend memory', async (_name, aShape, bShape, ta, tb) => {
    const a = seeded(aShape, 5);
    const b = seeded(bShape, 6);
    await tf.setBackend('wasm');
    const before = wasmDataIds();
    const { cpu, wasm } = await onBoth(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
    expectClose(cpu, wasm);
    expect(wasmDataIds()).toBe(before);
    // the same through the JS loops that run where wasm SIMD does not
    setSmallMatMulSimd(false);
    try {
      const js = await onBoth(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
      expectClose(cpu, js.wasm);
    } finally {
      setSmallMatMulSimd(true);
    }
  });
});

describe('block-copy Tile on wasm', () => {
  const cases: Array<[string, number[], number[]]> = [
    ['per-channel vector over a batch (batch-norm gradient)', [1, 1, 1, 6], [1, 4, 5, 1]],
    ['metadata repeated over time (early fusion)', [3, 1, 4], [1, 7, 1]],
    ['every axis repeated', [2, 3, 2], [3, 2, 4]],
    ['no repetition', [2, 5], [1, 1]],
    ['rank 1', [5], [3]],
    ['a zero repetition', [2, 3], [0, 2]],
  ];
  it.each(cases)('%s matches cpu and leaks no backend memory', async (_name, shape, reps) => {
    const x = seeded(shape, 12);
    await tf.setBackend('wasm');
    const before = wasmDataIds();
    const { cpu, wasm, shape: outShape } = await onBoth(() => tf.tile(tf.tensor(x, shape), reps));
    expect(outShape).toEqual(shape.map((d, i) => d * reps[i]!));
    expectClose(cpu, wasm);
    expect(wasmDataIds()).toBe(before);
  });

  it('tiles int32 and bool tensors', async () => {
    for (const dtype of ['int32', 'bool'] as const) {
      const values = dtype === 'int32' ? [3, -1, 7, 0, 2, 9] : [1, 0, 0, 1, 1, 0];
      await tf.setBackend('cpu');
      const c = tf.tile(tf.tensor(values, [2, 3], dtype), [2, 3]);
      const cpu = Array.from(await c.data());
      await tf.setBackend('wasm');
      const w = tf.tile(tf.tensor(values, [2, 3], dtype), [2, 3]);
      expect(w.dtype).toBe(dtype);
      expect(Array.from(await w.data())).toEqual(cpu);
      c.dispose();
      w.dispose();
    }
  });
});

describe('broadcasting batch-norm gradient', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-layers'); // the other gradients, and tfjs-core's batch-norm one
    await initBackend({ backend: 'wasm' }); // puts ours back
    expect(tf.getGradient('FusedBatchNorm')).toBe(fusedBatchNormGradConfig);
  });
  // the same function written with elementary ops: autodiff through them is the reference
  const explicit = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, offset: tf.Tensor, scale: tf.Tensor): tf.Tensor =>
    tf.add(tf.mul(tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, 1e-3))), scale), offset);
  const shapes: Array<[string, number[]]> = [
    ['rank 3 (Conv1D features)', [4, 6, 5]],
    ['rank 2 (Dense features)', [7, 5]],
    ['rank 4', [2, 3, 4, 5]],
  ];
  it.each(shapes)('%s: every input gradient matches the elementary-op composition, on cpu and wasm', async (_n, shape) => {
    const c = shape[shape.length - 1]!;
    const x = seeded(shape, 40);
    const w = seeded(shape, 41);
    const scale = seeded([c], 42);
    const offset = seeded([c], 43);
    const axes = shape.slice(0, -1).map((_, i) => i);
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const grads = (f: typeof explicit): Float32Array[] =>
        tf.tidy(() =>
          // through moments, as tfjs-layers' BatchNormalization trains: gradients reach x twice
          tf.grads((xt: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
            const { mean, variance } = tf.moments(xt, axes);
            return tf.sum(tf.mul(f(xt, mean, variance, o, s), tf.tensor(w, shape)));
          })([tf.tensor(x, shape), tf.tensor(scale), tf.tensor(offset)]).map((g) => g.dataSync() as Float32Array),
        );
      const fused = grads((xt, m, v, o, s) => tf.batchNorm(xt, m, v, o, s, 1e-3));
      const reference = grads(explicit);
      for (let i = 0; i < 3; i++) expectClose(reference[i]!, fused[i]!);
    }
  });

  it('is the gradient tfjs uses after initBackend, even when tfjs-layers was imported after an earlier call', async () => {
    await import('@tensorflow/tfjs-layers'); // registers tfjs-core's own gradients again
    await initBackend({ backend: 'wasm' });
    expect(tf.getGradient('FusedBatchNorm')).toBe(fusedBatchNormGradConfig);
  });
});

describe('heap-view Slice on wasm', () => {
  const cases: Array<[string, number[], number[], number[]]> = [
    ['one input of a concat gradient (last axis)', [3, 5, 7], [0, 0, 2], [3, 5, 4]],
    ['a time step', [4, 6, 3], [0, 2, 0], [4, 1, 3]],
    ['contiguous rows', [6, 4], [2, 0], [3, 4]],
    ['a box in every axis', [3, 4, 5, 6], [1, 1, 2, 3], [2, 2, 3, 2]],
    ['rank 1', [9], [3], [4]],
    ['size -1 (to the end)', [4, 5], [1, 2], [-1, -1]],
    ['empty', [4, 5], [1, 2], [0, 3]],
  ];
  it.each(cases)('%s matches cpu and leaks no backend memory', async (_name, shape, begin, size) => {
    const x = seeded(shape, 50);
    await tf.setBackend('wasm');
    const before = wasmDataIds();
    const { cpu, wasm, shape: outShape } = await onBoth(() => tf.slice(tf.tensor(x, shape), begin, size));
    expect(outShape).toEqual(size.map((d, i) => (d === -1 ? shape[i]! - begin[i]! : d)));
    expectClose(cpu, wasm);
    expect(wasmDataIds()).toBe(before);
  });

  it('slices int32 tensors', async () => {
    await tf.setBackend('wasm');
    const t = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], 'int32');
    const s = tf.slice(t, [0, 1], [2, 2]);
    expect(s.dtype).toBe('int32');
    expect(Array.from(await s.data())).toEqual([2, 3, 6, 7]);
    t.dispose();
    s.dispose();
  });
});

describe('shared Identity on wasm', () => {
  it('clones without copying, and the clone outlives its source', async () => {
    await tf.setBackend('wasm');
    const before = wasmDataIds();
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    expect(wasmDataIds()).toBe(before + 1); // one buffer, two tensors
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(wasmDataIds()).toBe(before);
  });

  it('keeps gradients right where tfjs clones the tensors it saves for backprop', async () => {
    await import('@tensorflow/tfjs-layers'); // registers the gradients
    await initBackend({ backend: 'wasm' });
    const x = seeded([4, 6], 60);
    const { cpu, wasm } = await onBoth(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.matMul(t, t, false, true)), tf.sum(tf.reshape(tf.sigmoid(tf.reshape(t, [6, 4])), [4, 6])))))(tf.tensor(x, [4, 6])),
    );
    expectClose(cpu, wasm);
  });
});

describe('Sum and Mean over leading axes on wasm', () => {
  const cases: Array<[string, number[], number | number[], boolean]> = [
    ['batch-norm statistics: all but channels', [4, 6, 5], [0, 1], false],
    ['keepDims', [4, 6, 5], [0, 1], true],
    ['a bias gradient: the batch axis', [7, 9], 0, false],
    ['negative and unordered axes', [3, 4, 6], [1, -3], false],
    ['channels not a multiple of 4 (SIMD tail)', [5, 3, 7], [0, 1], false],
    ['not leading (the original kernel)', [3, 4, 5], [1], false],
    ['every axis (the original kernel)', [3, 4], [0, 1], false],
  ];
  it.each(cases)('%s matches cpu and leaks no backend memory', async (_name, shape, axis, keepDims) => {
    const x = seeded(shape, 70);
    for (const op of ['sum', 'mean'] as const) {
      await tf.setBackend('wasm');
      const before = wasmDataIds();
      const { cpu, wasm, shape: outShape } = await onBoth(() => tf[op](tf.tensor(x, shape), axis, keepDims));
      expectClose(cpu, wasm);
      await tf.setBackend('cpu');
      expect(outShape).toEqual(tf.tidy(() => tf[op](tf.tensor(x, shape), axis, keepDims).shape));
      await tf.setBackend('wasm');
      expect(wasmDataIds()).toBe(before);
      // the same through the JS loops that run where wasm SIMD does not
      setSmallMatMulSimd(false);
      try {
        expectClose(cpu, (await onBoth(() => tf[op](tf.tensor(x, shape), axis, keepDims))).wasm);
      } finally {
        setSmallMatMulSimd(true);
      }
    }
  });
});

describe('Sum and Mean gradients as one Tile', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-layers'); // tfjs-core's own gradients
    await initBackend({ backend: 'wasm' }); // puts ours back
    expect(tf.getGradient('Sum')).toBe(sumGradConfig);
    expect(tf.getGradient('Mean')).toBe(meanGradConfig);
  });
  const cases: Array<[number[], number | number[], boolean]> = [
    [[4, 6, 5], [0, 1], false],
    [[4, 6, 5], [0, 1], true],
    [[3, 4, 6], [1, -3], false],
    [[3, 4, 6], 2, true],
    [[5, 7], [0, 1], false],
  ];
  it.each(cases)('shape %j, axis %j, keepDims %s: df/dx = w (spread) / count, on cpu and wasm', async (shape, axis, keepDims) => {
    const x = seeded(shape, 80);
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      for (const op of ['sum', 'mean'] as const) {
        const outShape = tf.tidy(() => tf[op](tf.tensor(x, shape), axis, keepDims).shape);
        const w = seeded(outShape, 81);
        const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf[op](t, axis, keepDims), tf.tensor(w, outShape))))(tf.tensor(x, shape)).dataSync() as Float32Array);
        // expected in plain JS: each input element receives the weight of the output it was reduced into
        const rank = shape.length;
        const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
        const count = axes.reduce((n, a) => n * shape[a]!, 1);
        const keptDims = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const expected = new Float32Array(x.length);
        for (let i = 0; i < x.length; i++) {
          let rest = i;
          let o = 0;
          let stride = 1;
          const coords = shape.map(() => 0);
          for (let a = rank - 1; a >= 0; a--) {
            coords[a] = rest % shape[a]!;
            rest = Math.floor(rest / shape[a]!);
          }
          for (let a = rank - 1; a >= 0; a--) {
            o += (axes.includes(a) ? 0 : coords[a]!) * stride;
            stride *= keptDims[a]!;
          }
          expected[i] = w[o]! / (op === 'mean' ? count : 1);
        }
        expectClose(expected, g);
      }
    }
  });
});
