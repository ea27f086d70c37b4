// Spike: tfjs-backend-wasm's threaded SIMD build (XNNPACK with a pthread pool) under Node 20.
//
// FINDINGS (see the bottom of this comment for the measured figures):
// 1. tfjs 4.22 hard-codes `WASM_HAS_MULTITHREAD_SUPPORT` to false under Node (tfjs issue 3830).
//    Setting the flag true before `setBackend('wasm')` picks the threaded build, which then fails
//    with ERR_WORKER_PATH: tfjs hands Emscripten the pthread worker script as a Blob URL
//    (`locateFile('*.worker.js')` -> URL.createObjectURL(new Blob([wasmWorkerContents]))) and
//    Node's worker_threads only starts files and file: URLs.
// 2. The Emscripten glue itself does support Node: it sets `global.Worker = worker_threads.Worker`
//    and calls `new Worker(url)` for a pool of 8 workers while the factory runs, and the worker
//    script carries Emscripten's Node shims (`self`, `importScripts`, `postMessage` over
//    `parentPort`). Three things are in the way, and this script works round each:
//    a. the Blob URL: `globalThis.Worker` becomes an accessor (the glue's assignment is ignored)
//       returning a `worker_threads.Worker` subclass that, for a `blob:` URL, starts an `eval`
//       worker with a small bootstrap and passes the Blob (resolved with `buffer.resolveObjectURL`)
//       as workerData; the bootstrap reads it and runs tfjs's worker script;
//    b. the main script is a Blob too (`mainScriptUrlOrBlob`, "var WasmBackendModuleThreadedSimd =
//       " + factory.toString()): the bootstrap reads it when the 'load' message comes (holding any
//       later message until then) and evaluates it in the worker's global scope. That source is a
//       function cut out of tfjs's Rollup bundle, so it refers to bundle-level names that a worker
//       does not have: `require$$0/1/3/4` (fs, path, perf_hooks, os), `commonjsGlobal`,
//       `__dirname`, `_scriptDir` and tslib's `__read`, `__spreadArray`, `__values`; the bootstrap
//       defines them as globals;
//    c. the thread count: tfjs's C++ `init_with_threads_count(n)` caps n at
//       `emscripten_num_logical_cores() / 2` (it assumes 2 hyper-threads per core), and on Node that
//       is `os.cpus().length / 2`: 1 on this 2-core machine, so `setThreadsCount(2)` silently gave 1
//       thread (no pthread ever started). `os.cpus` reports 2n entries while the backend
//       initialises (the count is read once, by the module's static constructors).
//    With those, `getThreadsCount()` is n, one pthread per extra thread receives Emscripten's
//    'run', and products come out identical to the single-threaded build (checked below).
// 3. The heap is then a SharedArrayBuffer and the memory is imported, so `backend.wasm.asm.memory`
//    is undefined: core's SIMD heap modules (LSTM/GRU gates, small batched products) saw no
//    WebAssembly.Memory and fell back to their JS paths (correct, slower: the "JS gates" figures
//    of runs 1 and 2 below). Fixed in core: they now take `wasm.wasmMemory` and, for a shared
//    heap, a copy of their binary whose memory import is rewritten as shared with maximum 65536
//    pages (`withSharedMemoryImport`); run 3 below has them.
// 4. Measured 2026-11-25 on the shared 2-vCPU VM, where other engineers' jobs kept 1.5-2 CPUs
//    busy (load average 4-7), 3 rounds alternating the configurations (medians of the 3; 3 runs):
//                        matMul 1024^3        64x64x256 product     C1 (FCN) train          M0 (LSTM) train
//      simd (default)    8.9 | 13.5 | 23.6    396 | 261 us          38 | 55 | 94 samples/s  306 | 314 | 612 samples/s
//      threaded, 1       11.6 | 17.0 | 23.5   258 | 250 us          39 | 56 | 86            180 | 241 | 661 (runs 1-2: JS gates, see 3)
//      threaded, 2       13.0 | 15.9 | 18.6   914 | 1112 us         43 | 50 | 82            119 | 133 | 196
//    (GFLOP/s; "a | b | c" = run 1 | 2 | 3; the 64x64x256 column is from runs 2 and 3; run 3 had
//    about one free CPU, runs 1-2 less.) Values are bit-identical in all three configurations (a
//    300x257x190 product, a conv's input and filter gradients: max rel diff 0). With 2 threads the
//    big product's work splits evenly between two OS threads (CPU ticks e.g. 32/30 per 7
//    products, /proc/self/task) at the same total CPU per product as 1 thread (88-104 vs 87-93 ms):
//    no extra CPU for large products. But the process got no more CPU in total (~0.65-0.7 of a
//    CPU either way: there was no idle core), so no wall-clock gain here; whether 2 threads nearly
//    halve a large product on an idle 2-core machine is NOT measured. Small products (a recurrent
//    step's) pay pthreadpool's dispatch and worker wake-up: 3-4x slower, ~3x the CPU per LSTM
//    training sample (the main thread spins while the worker waits for a CPU). Conclusion: keep it off by default; rerun on a quiet machine
//    (`node tools/bench/wasm-threads.mjs --rounds 3`, ~2 min) before using it, and only for
//    workloads dominated by large products or convolutions.
//    Core now has the opt-in: `initBackend({ wasmThreads })` / METASERIES_WASM_THREADS (the same
//    mechanism as `enableWasmThreads` below, in packages/core/src/backend/wasm-threads.ts).
//
// Usage: node wasm-threads.mjs [--rounds 3] [--threads 2] [--models C1,M0] [--steps 4]
//   The parent runs one child process per configuration ("simd": the default single-threaded
//   build; "t1"/"tN": the threaded build with 1 / N threads), alternating their order round by
//   round, and prints each child's figures plus medians. A child prints the step it reached to
//   stderr, so a failure says where it stopped.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolveObjectURL } from 'node:buffer';
import os from 'node:os';
import { Worker as NodeWorker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
// static: a lazy import() of a workspace library fails nx's module-boundary lint for the whole project
import { initBackend } from '@metaseries/core';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};

// ---------------------------------------------------------------------------------------------
// Enabling the threaded build under Node (core's copy: packages/core/src/backend/wasm-threads.ts).

// Runs inside each pthread worker (a worker_threads `eval` worker). `workerData.blob` is tfjs's
// worker script (`wasmWorkerContents`).
const BOOTSTRAP = `
'use strict';
const { workerData } = require('worker_threads');
Object.assign(globalThis, {
  require$$0: require('fs'), require$$1: require('path'), require$$3: require('perf_hooks'), require$$4: require('os'),
  commonjsGlobal: globalThis, __dirname: process.cwd(), _scriptDir: undefined,
  __values: (o) => o[Symbol.iterator](),
  __read: (o, n) => (n === undefined ? Array.from(o) : Array.from(o).slice(0, n)),
  __spreadArray: (to, from) => to.concat(Array.from(from)),
});
workerData.blob.text().then((workerScript) => {
  new Function('require', '__filename', workerScript)(require, 'tfjs-backend-wasm-threaded-simd.worker.js');
  const handle = globalThis.onmessage;
  const loadScripts = globalThis.importScripts;
  const sources = new Map();
  globalThis.importScripts = (f) => (sources.has(f) ? (0, eval)(sources.get(f)) : loadScripts(f));
  let held = null;
  globalThis.onmessage = (e) => {
    if (held) return void held.push(e);
    if (e.data && e.data.cmd === 'load' && typeof e.data.urlOrBlob !== 'string') {
      held = [];
      e.data.urlOrBlob.text().then((main) => {
        sources.set('metaseries:wasm-main-script', main);
        handle({ data: { ...e.data, urlOrBlob: 'metaseries:wasm-main-script' } });
        const rest = held;
        held = null;
        for (const m of rest) globalThis.onmessage(m);
      });
      return;
    }
    handle(e);
  };
});
`;

class PthreadWorker extends NodeWorker {
  constructor(url, options) {
    const href = String(url);
    if (href.startsWith('blob:')) {
      const blob = resolveObjectURL(href);
      if (!blob) throw new Error(`pthread worker script ${href} is not a live Blob URL`);
      super(BOOTSTRAP, { ...options, eval: true, workerData: { blob } });
    } else {
      super(url, options);
    }
  }
}

/** Makes the next `setBackend('wasm')` start tfjs-wasm's threaded SIMD build with `threads` threads. */
export async function enableWasmThreads(tf, wasmModule, threads) {
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmModule.setThreadsCount(threads);
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * threads) }, (_, i) => real[i % real.length]);
  };
  return () => {
    os.cpus = cpus;
  };
}

// ---------------------------------------------------------------------------------------------
// Child: one configuration.

function threadTicks() {
  const out = {};
  let tasks = [];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[t] = Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

async function child(mode) {
  const step = (s) => process.stderr.write(`step: ${s}\n`);
  step('import');
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { B, makeRecords, buildWorkload, workloadTargets, workloadTensors } = await import('./models.mjs');
  const threads = mode === 'simd' ? 0 : Number(mode.slice(1));
  let restore = () => {};
  if (threads > 0) {
    step(`enable threads (${threads})`);
    restore = await enableWasmThreads(tf, wasm, threads);
  }
  step('initBackend wasm');
  try {
    await initBackend({ backend: 'wasm' });
  } finally {
    restore();
  }
  const backend = tf.backend();
  const info = {
    mode,
    threadsCount: wasm.getThreadsCount(),
    sharedHeap: backend.wasm.HEAPU8.buffer instanceof SharedArrayBuffer,
    asmMemory: backend.wasm.asm?.memory instanceof WebAssembly.Memory,
  };
  step(`backend up: ${JSON.stringify(info)}`);

  // Correctness fingerprints: a product and a conv's gradients on fixed data.
  step('check values');
  const seq = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));
  const a = tf.tensor2d(seq(300 * 257, 0.37), [300, 257]);
  const b = tf.tensor2d(seq(257 * 190, 0.11), [257, 190]);
  const p = tf.matMul(a, b);
  // every 97th value (JSON stays short), and the float64 sum of all
  const sample = (v) => [v.reduce((acc, x) => acc + x, 0), ...Array.from(v).filter((_, i) => i % 97 === 0)];
  const product = sample(p.dataSync());
  p.dispose();
  const x = tf.tensor4d(seq(8 * 1 * 64 * 16, 0.23), [8, 1, 64, 16]);
  const w = tf.tensor4d(seq(1 * 5 * 16 * 32, 0.19), [1, 5, 16, 32]);
  const grads = tf.grads((xx, ww) => tf.conv2d(xx, ww, 1, 'same').square().sum());
  const [dx, dw] = grads([x, w]);
  const convGrad = [...sample(dx.dataSync()), ...sample(dw.dataSync())];
  tf.dispose([a, b, x, w, dx, dw]);

  step('matMul 1024^3');
  const n = 1024;
  const ma = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const mb = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const run = () => {
    const c = tf.matMul(ma, mb);
    c.dataSync();
    c.dispose();
  };
  run();
  const taskTicks = threadTicks();
  const mm = [];
  for (let r = 0; r < 7; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    const wall = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    mm.push({ wall, cpu: (cu.user + cu.system) / 1000 });
  }
  // CPU ticks of each OS thread over the timed products (Linux): how the work was split
  const after = threadTicks();
  const busy = Object.entries(after)
    .map(([t, v]) => v - (taskTicks[t] ?? 0))
    .filter((v) => v > 0)
    .sort((u, v) => v - u);
  mm.sort((u, v) => u.wall - v.wall);
  const med = mm[3];
  const matMul = { gflops: (2 * n ** 3) / (med.wall / 1000) / 1e9, wallMs: med.wall, cpuMs: med.cpu, threadTicks: busy };
  tf.dispose([ma, mb]);

  // a recurrent step's product (B=64, 64 units -> 4 gates): small products pay the pool's dispatch
  step('matMul 64x64x256');
  const sa = tf.randomNormal([64, 64], 0, 1, 'float32', 3);
  const sb = tf.randomNormal([64, 256], 0, 1, 'float32', 4);
  const small = () => {
    const c = tf.matMul(sa, sb);
    c.dataSync();
    c.dispose();
  };
  for (let r = 0; r < 50; r++) small();
  const reps = 500;
  const s0 = process.cpuUsage();
  const st = performance.now();
  for (let r = 0; r < reps; r++) small();
  const sWall = performance.now() - st;
  const sCpu = process.cpuUsage(s0);
  const smallMatMul = { usPerProduct: (sWall * 1000) / reps, cpuUsPerProduct: (sCpu.user + sCpu.system) / reps };
  tf.dispose([sa, sb]);

  const training = {};
  const steps = Number(arg('steps', '4'));
  for (const id of arg('models', 'C1,M0').split(',')) {
    step(`train ${id}`);
    const { model, encoded } = buildWorkload(id, makeRecords(200));
    const xs = workloadTensors(model, encoded, B);
    const ys = workloadTargets(model, B);
    await model.trainOnBatch(xs, ys); // warm-up
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await model.trainOnBatch(xs, ys);
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    training[id] = { samplesPerS: (steps * B) / wall, cpuSPerSample: (cu.user + cu.system) / 1e6 / (steps * B) };
    tf.dispose([xs, ys]);
    model.dispose();
  }
  step('done');
  // (exit only once the line is out: a pipe is written asynchronously)
  process.stdout.write(JSON.stringify({ ...info, matMul, smallMatMul, training, product, convGrad }) + '\n', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Parent: alternate the configurations.

function maxRelDiff(u, v) {
  let scale = 0;
  for (const x of u) scale = Math.max(scale, Math.abs(x));
  let d = 0;
  for (let i = 0; i < u.length; i++) d = Math.max(d, Math.abs(u[i] - v[i]));
  return d / (scale || 1);
}

function parent() {
  const rounds = Number(arg('rounds', '3'));
  const nThreads = Number(arg('threads', '2'));
  const modes = ['simd', 't1', `t${nThreads}`];
  const passOn = ['--models', arg('models', 'C1,M0'), '--steps', arg('steps', '4')];
  const results = Object.fromEntries(modes.map((m) => [m, []]));
  const self = fileURLToPath(import.meta.url);
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) {
      const out = spawnSync(process.execPath, [self, '--child', mode, ...passOn], { encoding: 'utf8', timeout: 300_000 });
      const line = out.stdout.trim().split('\n').pop();
      if (out.status !== 0 || !line) {
        const steps = out.stderr.split('\n').filter((l) => l.startsWith('step: '));
        console.log(`${mode}: FAILED (status ${out.status}${out.signal ? `, ${out.signal}` : ''}) after ${steps.at(-1) ?? 'no step'}`);
        console.log(out.stderr.split('\n').filter((l) => !l.startsWith('step: ')).slice(-25).join('\n'));
        continue;
      }
      const res = JSON.parse(line);
      results[mode].push(res);
      const tr = Object.entries(res.training)
        .map(([id, t]) => `${id} ${t.samplesPerS.toFixed(0)} samples/s (${(t.cpuSPerSample * 1000).toFixed(2)} CPU ms/sample)`)
        .join(', ');
      console.log(
        `round ${r + 1} ${mode.padEnd(4)} threads=${res.threadsCount} shared=${res.sharedHeap} asm.memory=${res.asmMemory}: ` +
          `matMul ${res.matMul.gflops.toFixed(1)} GFLOP/s (wall ${res.matMul.wallMs.toFixed(0)} ms, CPU ${res.matMul.cpuMs.toFixed(0)} ms, ` +
          `CPU ticks by thread ${res.matMul.threadTicks.join('/')}); ` +
          `64x64x256 ${res.smallMatMul.usPerProduct.toFixed(0)} us (CPU ${res.smallMatMul.cpuUsPerProduct.toFixed(0)} us); ${tr}`,
      );
    }
  }
  const ref = results.simd[0];
  if (ref) {
    for (const mode of modes.slice(1)) {
      for (const res of results[mode]) {
        console.log(
          `values ${mode} vs simd: matMul max rel diff ${maxRelDiff(ref.product, res.product).toExponential(2)}, ` +
            `conv grads ${maxRelDiff(ref.convGrad, res.convGrad).toExponential(2)}`,
        );
      }
    }
  }
  const median = (xs) => [...xs].sort((u, v) => u - v)[Math.floor(xs.length / 2)];
  for (const mode of modes) {
    const rs = results[mode];
    if (!rs.length) continue;
    const parts = [
      `matMul ${median(rs.map((r) => r.matMul.gflops)).toFixed(1)} GFLOP/s`,
      `64x64x256 ${median(rs.map((r) => r.smallMatMul.usPerProduct)).toFixed(0)} us, CPU ${median(rs.map((r) => r.smallMatMul.cpuUsPerProduct)).toFixed(0)} us`,
    ];
    for (const id of Object.keys(rs[0].training)) {
      parts.push(
        `${id} ${median(rs.map((r) => r.training[id].samplesPerS)).toFixed(0)} samples/s, ` +
          `${(median(rs.map((r) => r.training[id].cpuSPerSample)) * 1000).toFixed(2)} CPU ms/sample`,
      );
    }
    console.log(`median ${mode}: ${parts.join('; ')}`);
  }
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (argv[0] === '--child') await child(argv[1]);
else parent();
