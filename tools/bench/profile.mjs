// Where a training step's time goes: runs N training batches of one workload on one backend
// under the V8 sampling profiler and prints the functions with the most self time (the profile
// that guides the speed work; see README "Profile").
// Usage: node tools/bench/profile.mjs [--model M1] [--backend wasm] [--batches 10] [--top 25]
import { Session } from 'node:inspector/promises';
import { initBackend } from '@metaseries/core';
import { B, makeRecords, buildWorkload, workloadTargets, workloadTensors } from './models.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const id = arg('model', 'M1');
const backend = arg('backend', 'wasm');
const batches = Number(arg('batches', 10));
const top = Number(arg('top', 25));

await initBackend({ backend });
const { model, encoded } = buildWorkload(id, makeRecords(200));
const xs = workloadTensors(model, encoded, B);
const target = workloadTargets(model, B);
await model.trainOnBatch(xs, target); // warm-up

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const t0 = performance.now();
for (let i = 0; i < batches; i++) await model.trainOnBatch(xs, target);
const ms = performance.now() - t0;
const { profile } = await session.post('Profiler.stop');

// self time per function (by name + file), from sample counts
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const self = new Map();
for (const [nodeId, c] of counts) {
  const f = byId.get(nodeId).callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${(f.url.split('node_modules/')[1] ?? f.url.split('/').slice(-2).join('/')) || ''}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + c);
}
const total = profile.samples.length;
console.log(`${id} on ${backend}: ${batches} batches of ${B} in ${ms.toFixed(0)} ms = ${((batches * B) / (ms / 1000)).toFixed(0)} samples/s`);
console.log('self %  function  location');
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}  ${k}`);

// `--by-caller`: the same samples charged to the nearest JavaScript caller of the wasm code
// (tfjs-wasm's kernel functions, core's own kernels), which names the op behind an anonymous
// `wasm-function[N]`.
if (process.argv.includes('--by-caller')) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byCaller = new Map();
  for (const [nodeId, c] of counts) {
    let n = byId.get(nodeId);
    while (n && (/^(wasm-function|js-to-wasm|ccall$)/.test(n.callFrame.functionName) || (n.callFrame.functionName === '' && n.callFrame.url.endsWith('tf-backend-wasm.node.js')))) n = byId.get(parent.get(n.id));
    const f = n?.callFrame;
    const key = f ? `${f.functionName || '(anonymous)'}  ${(f.url.split('node_modules/')[1] ?? f.url.split('/').slice(-2).join('/')) || ''}:${f.lineNumber + 1}` : '(root)';
    byCaller.set(key, (byCaller.get(key) ?? 0) + c);
  }
  console.log('\nby JavaScript caller (wasm time charged to the JS function that called it)');
  for (const [k, c] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}  ${k}`);
}

// `--callers-of NAME [--depth 4]`: which functions call NAME (the chain of `depth` callers), by the samples spent in NAME and below it.
const callersOf = arg('callers-of', undefined);
const depth = Number(arg('depth', 4));
if (callersOf) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  for (const [nodeId, c] of counts) {
    // the outermost NAME frame on this sample's stack, then its caller
    let n = byId.get(nodeId);
    let hit;
    while (n) {
      if (n.callFrame.functionName === callersOf) hit = n;
      n = byId.get(parent.get(n.id));
    }
    if (!hit) continue;
    const chain = [];
    let p = byId.get(parent.get(hit.id));
    for (let k = 0; p && k < depth; k++, p = byId.get(parent.get(p.id))) chain.push(`${p.callFrame.functionName || '(anon)'}@${p.callFrame.url.split('/').slice(-1)[0]}:${p.callFrame.lineNumber + 1}`);
    const key = chain.join(' < ');
    inclusive.set(key, (inclusive.get(key) ?? 0) + c);
  }
  console.log(`\ncallers of ${callersOf} (% of all samples, caller chain innermost first)`);
  for (const [k, c] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}  ${k}`);
}
