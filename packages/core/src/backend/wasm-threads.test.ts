import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// registers tfjs-core's gradients (Conv2D's among them)
import '@tensorflow/tfjs-layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { initBackend } from './init-backend.js';
import { MAX_WASM_THREADS, resolveWasmThreads, withSharedMemoryImport } from './wasm-threads.js';
import { LSTM_GATES_WASM_BASE64 } from '../ops/lstm-gates-wasm.js';
import { lstmGatesFor } from '../ops/lstm-gates-module.js';
import { gruGatesFor } from '../ops/gru-gates-module.js';
import { lstmSequence } from '../ops/lstm-sequence.js';
import { isMetaseriesError, type MetaseriesError } from '../errors.js';

describe('resolveWasmThreads', () => {
  it('is off (1) by default, reads METASERIES_WASM_THREADS, and the option wins over it', () => {
    expect(resolveWasmThreads(undefined, undefined)).toBe(1);
    expect(resolveWasmThreads(undefined, ' ')).toBe(1);
    expect(resolveWasmThreads(undefined, '3')).toBe(3);
    expect(resolveWasmThreads(2, '3')).toBe(2);
    expect(resolveWasmThreads('auto')).toBe(Math.min(os.availableParallelism(), MAX_WASM_THREADS));
    expect(resolveWasmThreads(undefined, 'auto')).toBe(resolveWasmThreads('auto'));
  });

  it.each([
    [0, undefined, 'wasmThreads'],
    [9, undefined, 'wasmThreads'],
    [1.5, undefined, 'wasmThreads'],
    [undefined, 'many', 'METASERIES_WASM_THREADS'],
    [undefined, '-2', 'METASERIES_WASM_THREADS'],
  ])('rejects %p / env %p with BACKEND_WASM_THREADS naming %s', (option, env, field) => {
    let err: unknown;
    try {
      resolveWasmThreads(option, env);
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'BACKEND_WASM_THREADS')).toBe(true);
    expect((err as MetaseriesError).details.field).toBe(field);
  });
});

describe('withSharedMemoryImport', () => {
  it('turns a module importing a plain memory into one that imports a shared memory', () => {
    const bytes = Uint8Array.from(atob(LSTM_GATES_WASM_BASE64), (ch) => ch.charCodeAt(0));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })).toThrow();
    const shared = withSharedMemoryImport(bytes);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(shared), { env: { memory } });
    expect(Object.keys(instance.exports)).toEqual(Object.keys(new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 64 }) } }).exports));
    expect(withSharedMemoryImport(shared)).toBe(shared);
  });
});

describe('initBackend({ wasmThreads: 2 })', () => {
  const seq = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));

  /** A product (XNNPACK's threaded GEMM) and a convolution's input and filter gradients. */
  function compute(): { product: Float32Array; dx: Float32Array; dw: Float32Array } {
    const a = tf.tensor2d(seq(200 * 129, 0.37), [200, 129]);
    const b = tf.tensor2d(seq(129 * 70, 0.11), [129, 70]);
    const p = tf.matMul(a, b);
    const product = p.dataSync() as Float32Array;
    const x = tf.tensor4d(seq(4 * 1 * 40 * 6, 0.23), [4, 1, 40, 6]);
    const w = tf.tensor4d(seq(1 * 5 * 6 * 16, 0.19), [1, 5, 6, 16]);
    const dy = tf.tensor4d(seq(4 * 1 * 40 * 16, 0.07), [4, 1, 40, 16]);
    const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'))([x, w], dy);
    const dx = gx!.dataSync() as Float32Array;
    const dw = gw!.dataSync() as Float32Array;
    tf.dispose([a, b, p, x, w, dy, gx!, gw!]);
    return { product, dx, dw };
  }

  function expectClose(actual: Float32Array, expected: Float32Array): void {
    expect(actual.length).toBe(expected.length);
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    expect(worst / scale).toBeLessThan(1e-5);
  }

  it('runs the threaded build with 2 threads, restores os.cpus, and gives the values of a single-threaded backend', async () => {
    await tf.setBackend('cpu');
    const reference = compute();
    const cpus = os.cpus;
    expect(await initBackend({ backend: 'wasm', wasmThreads: 2 })).toBe('wasm');
    expect(os.cpus).toBe(cpus);
    expect(getThreadsCount()).toBe(2);
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    expect(heap.buffer).toBeInstanceOf(SharedArrayBuffer);
    const threaded = compute();
    expectClose(threaded.product, reference.product);
    expectClose(threaded.dx, reference.dx);
    expectClose(threaded.dw, reference.dw);
    // the same twice over: results do not depend on how the pool split the work
    const again = compute();
    expect(again.product).toEqual(threaded.product);
    expect(again.dw).toEqual(threaded.dw);
  });

  it("binds core's SIMD heap modules to the shared heap, and a fused LSTM gives cpu's values", async () => {
    expect(await initBackend({ backend: 'wasm', wasmThreads: 2 })).toBe('wasm');
    expect(lstmGatesFor(tf.backend())).not.toBeNull();
    expect(gruGatesFor(tf.backend())).not.toBeNull();
    const [B, T, F, U] = [3, 7, 5, 8];
    const lstm = (): { y: Float32Array; grads: Float32Array[] } => {
      const x = tf.tensor3d(seq(B * T * F, 0.31), [B, T, F]);
      const kernel = tf.tensor2d(seq(F * 4 * U, 0.17), [F, 4 * U]);
      const recurrent = tf.tensor2d(seq(U * 4 * U, 0.13), [U, 4 * U]);
      const bias = tf.tensor1d(seq(4 * U, 0.29));
      const f = (xx: tf.Tensor, k: tf.Tensor, r: tf.Tensor): tf.Tensor => lstmSequence(xx as tf.Tensor3D, k as tf.Tensor2D, r as tf.Tensor2D, bias);
      const y = f(x, kernel, recurrent);
      const dy = tf.tensor3d(seq(B * T * U, 0.05), [B, T, U]);
      const grads = tf.grads(f)([x, kernel, recurrent], dy);
      const out = { y: y.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
      tf.dispose([x, kernel, recurrent, bias, y, dy, ...grads]);
      return out;
    };
    const threaded = lstm();
    await tf.setBackend('cpu');
    const reference = lstm();
    await tf.setBackend('wasm');
    expectClose(threaded.y, reference.y);
    threaded.grads.forEach((g, i) => expectClose(g, reference.grads[i]!));
  });
});
