import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// registers tfjs-core's gradients (Conv2D's among them)
import '@tensorflow/tfjs-layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { initBackend } from './init-backend.js';
import { MAX_WASM_THREADS, resolveWasmThreads } from './wasm-threads.js';
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
});
