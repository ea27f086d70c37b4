import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/init-backend.js';
import { createRng } from '../random.js';
import { heapMatMul, narrowInputGradient, narrowWeightGradient, transposedInfo, weightGradient } from './heap-products.js';
import { setSmallMatMulSimd, smallMatMulFor } from './small-mat-mul-module.js';
import { setTileGemmSimd, tileGemmFor, tileGemmFromEnv } from './tile-gemm-module.js';
import { isMetaseriesError } from '../errors.js';

function seeded(shape: [number, number], seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal()), shape);
}

/** Runs a kernel-level helper on tensors' infos and returns its output as a tensor. */
function run(fn: (backend: unknown, info: (t: tf.Tensor) => tf.TensorInfo) => tf.TensorInfo): tf.Tensor {
  const backend = tf.backend();
  const out = fn(backend, (t) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
  return tf.engine().makeTensorFromTensorInfo(out);
}

// 4x4 SIMD blocks with no edge, edges on either side or both, a single row or column, the LSTM's shape
const shapes: Array<[number, number]> = [[4, 4], [8, 12], [7, 9], [5, 4], [4, 6], [1, 7], [9, 1], [1, 1], [640, 256]];

describe.each(['cpu', 'wasm'] as const)('heap products on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });
  afterAll(() => setSmallMatMulSimd(true));

  describe.each([true, false])('SIMD module on: %s', (simd) => {
    beforeEach(() => setSmallMatMulSimd(simd));

    it.each(shapes)('transposes [%i, %i] exactly and frees what it allocated', (rows, cols) => {
      if (backend === 'wasm' && simd) expect(smallMatMulFor(tf.backend())).not.toBeNull(); // the SIMD path really runs
      const x = seeded([rows, cols], rows * 31 + cols);
      const ids = tf.backend().numDataIds();
      const out = run((b, info) => transposedInfo(b, info(x), rows, cols));
      expect(tf.backend().numDataIds()).toBe(ids + 1); // the result only
      expect(out.shape).toEqual([cols, rows]);
      const want = tf.transpose(x);
      expect(Array.from(out.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([out, want, x]);
    });

    it.each([[18, 20, 4], [6400 / 16, 256, 64], [13, 12, 3]])('computes a weight gradient In^T dZ over %i rows (G %i, M %i)', (r, g, m) => {
      const dz = seeded([r, g], 1);
      const inputs = seeded([r, m], 2);
      const dzT = tf.transpose(dz);
      const ids = tf.backend().numDataIds();
      const out = run((b, info) => weightGradient(tf.getBackend(), b, info(dzT), info(inputs), g, r, m));
      expect(tf.backend().numDataIds()).toBe(ids + 1); // the result only
      expect(out.shape).toEqual([m, g]);
      const want = tf.matMul(inputs, dz, true, false).dataSync();
      const got = out.dataSync();
      let worst = 0;
      want.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[i]!) / (1 + Math.abs(v)))));
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([out, dz, inputs, dzT]);
    });
  });
});

// m: whole 4-row tiles, 1-3 rows left, a single row; n: whole 8-column tiles, a last 4 columns,
// 4 alone, and n not a multiple of 4 (BatchMatMul); k: 0 (zeros), 1, odd; the LSTM's per-step
// products at B 64 and 32, the input projection and a weight gradient
const products: Array<[number, number, number]> = [
  [4, 3, 8], [8, 5, 16], [5, 7, 12], [6, 1, 4], [7, 9, 20], [1, 4, 8], [3, 2, 4], [9, 0, 8], [5, 6, 3],
  [64, 64, 256], [32, 256, 64], [640, 3, 256], [256, 640, 64],
];

describe('heapMatMul on wasm', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });
  afterAll(() => setTileGemmSimd(true));

  it.each(products)('gives the same bits as tfjs-wasm BatchMatMul for [%i, %i] x [%i] and frees nothing else', (m, k, n) => {
    const a = seeded([m, k], m * 7 + k);
    const b = seeded([k, n], k * 11 + n);
    setTileGemmSimd(false);
    const want = run((be, info) => heapMatMul('wasm', be, info(a), info(b), m, k, n));
    setTileGemmSimd(true);
    expect(tileGemmFor(tf.backend())).not.toBeNull(); // the tiled path really runs
    // stale values where the output will go: every one must be overwritten
    tf.dispose(tf.fill([m * n + 64], Number.NaN));
    const ids = tf.backend().numDataIds();
    const got = run((be, info) => heapMatMul('wasm', be, info(a), info(b), m, k, n));
    expect(tf.backend().numDataIds()).toBe(ids + 1); // the result only
    expect(got.shape).toEqual([1, m, n]);
    // with k = 0, BatchMatMul leaves the heap's old values (seen: 3.6e-41); the product is zeros
    expect(Array.from(got.dataSync())).toEqual(k === 0 ? new Array(m * n).fill(0) : Array.from(want.dataSync()));
    tf.dispose([a, b, want, got]);
  });
});

describe('narrow gradients on wasm (inputs with a few channels)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  // F 1-3 and 5 (padded to 4 or 8 rows), rows a multiple of 4; the LSTM's B*T x 4U at B 16
  it.each([[12, 8, 3], [8, 4, 1], [16, 12, 2], [20, 16, 5], [1600, 256, 3]])('give the same bits as the BatchMatMul path over %i rows (G %i, F %i)', (r, g, f) => {
    const dz = seeded([r, g], 5);
    const x = seeded([r, f], 6);
    const w = seeded([f, g], 7);
    const dzT = tf.transpose(dz);
    const wT = tf.transpose(w);
    const ids = tf.backend().numDataIds();
    const dW = run((b, info) => narrowWeightGradient(b, info(dz), info(x), r, g, f)!);
    const dX = run((b, info) => narrowInputGradient(b, info(dzT), info(w), r, g, f)!);
    expect(tf.backend().numDataIds()).toBe(ids + 2); // the results only
    expect(dW.shape).toEqual([f, g]);
    expect(dX.shape).toEqual([r, f]);
    setTileGemmSimd(false); // the path they replace: BatchMatMul with f columns
    const wantW = run((b, info) => weightGradient('wasm', b, info(dzT), info(x), g, r, f));
    const wantX = run((b, info) => heapMatMul('wasm', b, info(dz), info(wT), r, g, f));
    setTileGemmSimd(true);
    expect(Array.from(dW.dataSync())).toEqual(Array.from(wantW.dataSync()));
    expect(Array.from(dX.dataSync())).toEqual(Array.from(wantX.dataSync()));
    tf.dispose([dz, x, w, dzT, wT, dW, dX, wantW, wantX]);
  });

  it('step aside where the tiled product does not apply', () => {
    const dz = seeded([6, 8], 1);
    const x = seeded([6, 3], 2);
    expect(run((b, info) => narrowWeightGradient(b, info(dz), info(x), 6, 8, 3)!)).toBeDefined();
    const b = tf.backend();
    const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    expect(narrowInputGradient(b, info(tf.transpose(dz)), info(seeded([3, 8], 3)), 6, 8, 3)).toBeNull(); // 6 rows
    expect(narrowWeightGradient(b, info(seeded([8, 6], 4)), info(seeded([8, 3], 5)), 8, 6, 3)).toBeNull(); // G 6
  });
});

describe('METASERIES_TILE_GEMM', () => {
  it('is on when unset or 1, off at 0, and any other value is BACKEND_TILE_GEMM naming the variable and the value', () => {
    expect(tileGemmFromEnv(undefined)).toBe(true);
    expect(tileGemmFromEnv('1')).toBe(true);
    expect(tileGemmFromEnv('0')).toBe(false);
    let err: unknown;
    try {
      tileGemmFromEnv('off');
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'BACKEND_TILE_GEMM')).toBe(true);
    expect(err).toMatchObject({ details: { field: 'METASERIES_TILE_GEMM', value: 'off', expected: '0 | 1' } });
  });
});
