import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import { loadBundle, saveBundle, type ModelBundle } from './bundle.js';
import { BUNDLE_FORMAT_VERSION } from './bundle-manifest.js';
import { recoverBundleFolder } from './atomic-bundle-folder.js';

function tinyModel(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 2], name: 'series' });
  const h = tfl.layers.lstm({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed }), recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'probabilities', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function bundleOf(seed: number, generation: number): ModelBundle {
  return { model: tinyModel(seed), preprocessing: { classes: ['a', 'b', 'c'], temperature: 1 }, metrics: { generation } };
}

const x = () => tf.tensor3d(Array.from({ length: 2 * 6 * 2 }, (_, i) => Math.sin(i)), [2, 6, 2]);

describe('bundles', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'ms-bundle-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('save then load gives a model with identical outputs and the same preprocessing and metrics', async () => {
    const b = bundleOf(3, 1);
    const dir = path.join(root, 'model');
    const manifest = await saveBundle(b, dir);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'metrics.json', 'model.json', 'preprocessing.json', 'weights.bin']);
    expect(manifest.formatVersion).toBe(BUNDLE_FORMAT_VERSION);
    expect(manifest.packages['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(Object.keys(manifest.files).sort()).toEqual(['metrics.json', 'model.json', 'preprocessing.json', 'weights.bin']);
    expect(manifest.files['weights.bin']!.size).toBe(statSync(path.join(dir, 'weights.bin')).size);
    const loaded = await loadBundle(dir);
    expect(loaded.preprocessing).toEqual(b.preprocessing);
    expect(loaded.metrics).toEqual({ generation: 1 });
    const input = x();
    const a = (b.model.predict(input) as tf.Tensor).arraySync();
    const c = (loaded.model.predict(input) as tf.Tensor).arraySync();
    expect(c).toEqual(a);
  });

  it('replaces an existing bundle and leaves no staging or old folders behind', async () => {
    const dir = path.join(root, 'model');
    await saveBundle(bundleOf(1, 1), dir);
    await saveBundle(bundleOf(2, 2), dir);
    expect(readdirSync(root)).toEqual(['model']);
    expect((await loadBundle(dir)).metrics).toEqual({ generation: 2 });
  });

  it('refuses a changed file, naming it', async () => {
    const dir = path.join(root, 'model');
    await saveBundle(bundleOf(1, 1), dir);
    const w = readFileSync(path.join(dir, 'weights.bin'));
    w[10] = w[10]! ^ 0xff;
    writeFileSync(path.join(dir, 'weights.bin'), w);
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_CHECKSUM_MISMATCH', details: { field: 'weights.bin' } });
    const p = JSON.parse(readFileSync(path.join(dir, 'preprocessing.json'), 'utf8'));
    p.temperature = 2;
    writeFileSync(path.join(dir, 'weights.bin'), Uint8Array.from(w.map((v, i) => (i === 10 ? v ^ 0xff : v))));
    writeFileSync(path.join(dir, 'preprocessing.json'), JSON.stringify(p, null, 2) + '\n');
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_CHECKSUM_MISMATCH', details: { field: 'preprocessing.json' } });
  });

  it('refuses a truncated file', async () => {
    const dir = path.join(root, 'model');
    await saveBundle(bundleOf(1, 1), dir);
    truncateSync(path.join(dir, 'weights.bin'), 17);
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_TRUNCATED', details: { field: 'weights.bin', value: 17 } });
  });

  it('refuses a missing manifest, a newer format, a missing file and a folder that is no bundle', async () => {
    const dir = path.join(root, 'model');
    await saveBundle(bundleOf(1, 1), dir);
    const manifestText = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    const m = JSON.parse(manifestText);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...m, formatVersion: BUNDLE_FORMAT_VERSION + 1 }));
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_FORMAT_TOO_NEW' });
    writeFileSync(path.join(dir, 'manifest.json'), manifestText.slice(0, 40));
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_MANIFEST_INVALID' });
    writeFileSync(path.join(dir, 'manifest.json'), manifestText);
    rmSync(path.join(dir, 'metrics.json'));
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_FILE_MISSING', details: { field: 'metrics.json' } });
    rmSync(path.join(dir, 'manifest.json'));
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'BUNDLE_MISSING_MANIFEST' });
    const other = path.join(root, 'photos');
    mkdirSync(other);
    writeFileSync(path.join(other, 'cat.jpg'), 'meow');
    await expect(loadBundle(other)).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
    await expect(loadBundle(path.join(root, 'nothing-here'))).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
  });

  it('never takes a half-written staging folder for the bundle, and recovers one killed between its renames', async () => {
    const dir = path.join(root, 'model');
    await saveBundle(bundleOf(1, 1), dir);
    // A writer killed while filling its staging folder: no manifest yet.
    mkdirSync(path.join(root, '.model.tmp-000000000000001-1-1'));
    writeFileSync(path.join(root, '.model.tmp-000000000000001-1-1', 'model.json'), '{');
    expect((await loadBundle(dir)).metrics).toEqual({ generation: 1 });
    // A writer killed between "rename dir aside" and "rename staging into place".
    await saveBundle(bundleOf(2, 2), path.join(root, 'staged'));
    const { renameSync } = await import('node:fs');
    renameSync(dir, path.join(root, '.model.old-000000000000002-1-1'));
    renameSync(path.join(root, 'staged'), path.join(root, '.model.tmp-000000000000002-1-2'));
    expect((await loadBundle(dir)).metrics).toEqual({ generation: 2 });
    expect(await recoverBundleFolder(dir)).toBe('staged');
    expect(readdirSync(root)).toEqual(['model']);
    expect((await loadBundle(dir)).metrics).toEqual({ generation: 2 });
  });
});
