#!/usr/bin/env node
// Packaging check: `npm pack` every published library, install ONE tarball (plus the tarballs of
// the @metaseries packages it declares, and its declared peers) into an empty temporary project,
// import it and call one function. This keeps "import only the package you need" true: a missing
// dependency, a wrong `exports` map or a file left out of `files` fails here, not at a user's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(tmpdir(), 'metaseries-pack-'));
const packDir = path.join(work, 'tarballs');
execFileSync('mkdir', ['-p', packDir]);

const libs = readdirSync(path.join(root, 'packages')).filter((d) =>
  statSync(path.join(root, 'packages', d, 'package.json'), { throwIfNoEntry: false }),
);
const manifests = Object.fromEntries(
  libs.map((d) => [d, JSON.parse(readFileSync(path.join(root, 'packages', d, 'package.json'), 'utf8'))]),
);

// One smoke call per package: it must import from the package name and do real work.
const smoke = {
  core: `if (m.createRng(42).next() !== 0.6606157226487994) throw new Error('rng golden value'); try { m.validateSchema({ version: 1, channels: ['v'], metadata: { w: { kind: 'ordinal' } }, context: {}, label: { name: 'y', task: 'binary' } }, 's.json'); throw new Error('no SCHEMA_INVALID'); } catch (e) { if (!m.isMetaseriesError(e, 'SCHEMA_INVALID') || !e.format().includes('s.json, field $.metadata.w.kind')) throw e; } process.env.METASERIES_BACKEND = 'webgpu'; await m.initBackend().then(() => { throw new Error('no BACKEND_UNKNOWN'); }, (e) => { if (e.code !== 'BACKEND_UNKNOWN') throw e; }); delete process.env.METASERIES_BACKEND; const b = await m.initBackend(); if (b !== 'wasm' && b !== 'tensorflow') throw new Error('backend ' + b); const tf = await import('@tensorflow/tfjs-core'); const s = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([0, 2, 0], 'int32'), 3); if (s.dataSync().join() !== '6,8,0,0,3,4') throw new Error('UnsortedSegmentSum on ' + b);`,
  data: `const fs = await import('node:fs'); const os = await import('node:os'); const p = await import('node:path'); const d = fs.mkdtempSync(p.join(os.tmpdir(), 'ms-data-')); fs.writeFileSync(p.join(d, 's.csv'), 'id,time,hr\\na,0,1\\na,1,2\\nb,0,3\\nc,0,4\\n'); fs.writeFileSync(p.join(d, 'l.csv'), 'id,label\\na,x\\nb,y\\n'); const r = await m.loadDataset({ series: { path: 's.csv', format: 'long' }, labels: { path: 'l.csv' } }, { baseDir: d }); if (r.counts.records !== 2 || r.counts.droppedNoLabel !== 1 || r.dataset.records[0].values[0][1] !== 2) throw new Error('long CSV'); const s = m.inferSchema(r.dataset); if (s.schema.label.task !== 'binary' || s.report.channels.hr.max !== 3) throw new Error('inferSchema'); await m.loadDataset({ series: { path: 's.parquet', format: 'parquet' } }, { baseDir: d }).then(() => { throw new Error('no LOAD_FILE_NOT_FOUND'); }, (e) => { if (e.code !== 'LOAD_FILE_NOT_FOUND') throw e; }); fs.writeFileSync(p.join(d, 'x.parquet'), 'PAR1 not really'); await m.loadDataset({ series: { path: 'x.parquet', format: 'parquet' } }, { baseDir: d }).then(() => { throw new Error('no LOAD_BAD_PARQUET'); }, (e) => { if (e.code !== 'LOAD_BAD_PARQUET') throw e; });`,
  encoders: `const schema = { version: 1, channels: ['v'], metadata: { ward: { kind: 'categorical' }, age: { kind: 'numeric' }, note: { kind: 'text' } }, context: {}, label: { name: 'y', task: 'binary' } }; const rec = (id, metadata) => ({ id, values: [new Float32Array(2)], metadata }); const fitted = m.MetadataEncoder.fit(schema, [rec('a', { ward: 'icu', age: 50, note: 'chest pain' }), rec('b', { ward: 'er', age: 70, note: null })], { embedding: { ward: 4 } }); const enc = m.MetadataEncoder.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())), schema); const out = enc.transform([rec('c', { ward: 'never-seen', age: null, note: 'Pain!' })]); if (out.meta_ward.data[0] !== 1 || out.meta_age.data[1] !== 1) throw new Error('unknown or missing value'); const e = enc.encodedSchema({ channels: 1, timeSteps: 5, task: 'binary', outputs: 1 }); if (e.inputs.map((i) => i.name).join() !== 'series,mask,meta_ward,meta_age,meta_note' || e.fields[0].width !== 4) throw new Error('encoded schema'); if (m.defaultEmbeddingSize(10) !== 6 || m.fnv1a('foobar') !== 0xbf9cf968) throw new Error('rules'); const labels = m.LabelEncoder.fit(schema.label, ['x', 'y']); try { labels.transform(['z']); throw new Error('no ENCODER_UNKNOWN_LABEL'); } catch (err) { if (err.code !== 'ENCODER_UNKNOWN_LABEL') throw err; }`,
  fusion: `const c = m.resolveModelConfig({ encoder: 'fcn' }); if (c.fcn.filters.join() !== '128,256,128' || c.fusion !== 'attention' || m.ENCODERS.length !== 7 || typeof m.adaptModel !== 'function' || m.FUSIONS.length !== 6) throw new Error('config defaults'); try { m.resolveModelConfig({ fcn: { filters: [8, 0] } }); throw new Error('no FUSION_INVALID_CONFIG'); } catch (e) { if (e.code !== 'FUSION_INVALID_CONFIG' || e.details.field !== 'fcn.filters[1]') throw e; } const tf = await import('@tensorflow/tfjs-core'); const registered = Object.keys(tf.serialization.SerializationMap.getMap().classNameMap); for (const n of ['MetaseriesApplyMask', 'MetaseriesMaskedPooling', 'MetaseriesRepeatConcat', 'MetaseriesPositionalEncoding', 'MetaseriesMultiHeadSelfAttention', 'MetaseriesMetadataAttentionPooling', 'MetaseriesFilm', 'MetaseriesMetadataGate', 'MetaseriesMiniRocket']) if (!registered.includes(n)) throw new Error('layer not registered: ' + n);`,
  eval: `const r = m.computeMetrics('binary', ['ok', 'fault', 'ok', 'fault'], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]], { classes: ['ok', 'fault'] }); if (r.values.accuracy !== 0.75 || r.values.auroc !== 0.75 || r.details.confusionMatrix[1][0] !== 1) throw new Error('metrics'); const ci = m.bootstrapInterval(50, (idx) => idx.filter((i) => i % 2).length / idx.length, { seed: 1, resamples: 50 }); if (!(ci.low < 0.5 && ci.high > 0.5)) throw new Error('bootstrap'); const t = m.fitTemperature([[4, 0], [0, 4], [4, 0], [0, 4], [4, 0]], [0, 1, 1, 1, 0]); if (!(t.temperature > 1 && t.nllAfter < t.nllBefore)) throw new Error('temperature'); const html = await m.renderHtmlReport({ title: 'pack', metrics: r }); if ((html.match(/<svg/g) ?? []).length !== 4 || /<script/.test(html)) throw new Error('html report (vega in node)'); try { m.computeMetrics('binary', ['x'], [[0.5, 0.5]], { classes: ['ok', 'fault'] }); throw new Error('no EVAL_BAD_LABEL'); } catch (e) { if (e.code !== 'EVAL_BAD_LABEL') throw e; }`,
  pipeline: `const c = m.parseRunConfig('data:\\n  series: { path: s.csv }\\n'); if (c.train.epochs !== 50 || c.model.encoder !== 'lstm') throw new Error('config defaults'); try { m.parseRunConfig({ data: { series: { path: 's.csv' } }, train: { epochs: 0 } }); throw new Error('no CONFIG_INVALID'); } catch (e) { if (e.code !== 'CONFIG_INVALID' || e.details.field !== 'train.epochs') throw e; } await m.loadBundle('no-such-bundle').then(() => { throw new Error('loaded nothing'); }, (e) => { if (e.code !== 'BUNDLE_NOT_FOUND') throw e; });`,
};
try {
  const smokeOverrides = path.join(root, 'tools/packaging/smoke.mjs');
  if (statSync(smokeOverrides, { throwIfNoEntry: false })) Object.assign(smoke, (await import(smokeOverrides)).default);
} catch (e) {
  console.error(e);
  process.exit(1);
}

const tarballs = {};
const rows = [];
for (const d of libs) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], {
    cwd: path.join(root, 'packages', d),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const info = JSON.parse(out)[0];
  tarballs[manifests[d].name] = path.join(packDir, info.filename);
  if (!info.files.some((f) => f.path === 'dist/index.js')) throw new Error(`${d}: tarball has no dist/index.js (run the build first)`);
  if (info.files.some((f) => /\.test\.(js|d\.ts)$/.test(f.path))) throw new Error(`${d}: tarball contains compiled tests`);
  rows.push({ package: manifests[d].name, files: info.entryCount, packedKb: +(info.size / 1024).toFixed(1), unpackedKb: +(info.unpackedSize / 1024).toFixed(1) });
}

function closure(name, acc = new Set()) {
  if (acc.has(name)) return acc;
  acc.add(name);
  const d = Object.keys(manifests).find((k) => manifests[k].name === name);
  for (const dep of Object.keys(manifests[d].dependencies ?? {})) if (dep.startsWith('@metaseries/')) closure(dep, acc);
  return acc;
}

let failed = 0;
for (const d of libs) {
  const m = manifests[d];
  const proj = path.join(work, `use-${d}`);
  execFileSync('mkdir', ['-p', proj]);
  const deps = {};
  const peers = {};
  for (const name of closure(m.name)) {
    deps[name] = `file:${tarballs[name]}`;
    const pm = manifests[Object.keys(manifests).find((k) => manifests[k].name === name)];
    for (const [p, v] of Object.entries(pm.peerDependencies ?? {})) if (!pm.peerDependenciesMeta?.[p]?.optional) peers[p] = v;
  }
  writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: `use-${d}`, private: true, type: 'module', dependencies: { ...peers, ...deps } }, null, 2));
  writeFileSync(path.join(proj, 'index.mjs'), `import * as m from '${m.name}';\n${smoke[d] ?? ''}\nconsole.log('ok ${m.name}');\n`);
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], { cwd: proj, stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync('node', ['index.mjs'], { cwd: proj, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    process.stdout.write(out);
  } catch (e) {
    failed++;
    console.error(`FAIL ${m.name}: ${e.stderr?.toString() || e.message}`);
  }
}
console.log('\npackage               files  packed KiB  unpacked KiB');
for (const r of rows) console.log(`${r.package.padEnd(22)}${String(r.files).padStart(5)}${String(r.packedKb).padStart(12)}${String(r.unpackedKb).padStart(14)}`);
rmSync(work, { recursive: true, force: true });
console.log(`\n${libs.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
