// Times core's fused LSTM sequence kernel alone (forward, and forward + backward) on one backend:
// the workload's shape B=64, T=100, F=3 → U=64. Usage: node tools/bench/lstm-kernel.mjs [--backend wasm] [--reps 10]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients tf.grad needs
import { initBackend, lstmSequence } from '@metaseries/core';

const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
await initBackend({ backend: arg('backend', 'wasm') });
const reps = Number(arg('reps', 10));
const [B, T, F, U] = [Number(arg("batch", 64)), 100, 3, 64];
const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 1);
const k = tf.randomNormal([F, 4 * U], 0, 0.3, 'float32', 2);
const r = tf.randomNormal([U, 4 * U], 0, 0.1, 'float32', 3);
const b = tf.zeros([4 * U]);
const f = (xx, kk, rr, bb) => tf.sum(lstmSequence(xx, kk, rr, bb));
const g = tf.grads(f);
const time = (fn) => {
  tf.tidy(fn);
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) tf.tidy(() => { const o = fn(); (Array.isArray(o) ? o[0] : o).dataSync(); });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps; // CPU ms: steadier than wall time on a shared machine
};
const fwd = time(() => lstmSequence(x, k, r, b));
const both = time(() => g([x, k, r, b]));
console.log(JSON.stringify({ backend: tf.getBackend(), forwardCpuMs: +fwd.toFixed(2), forwardBackwardCpuMs: +both.toFixed(2) }));
