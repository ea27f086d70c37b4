/** @jest-environment ./src/testing/onnx-environment.mjs */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as tfl from '@tensorflow/tfjs-layers';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, type Dataset, type SeriesRecord } from '@metaseries/core';
import { parseRunConfig } from '../config/run-config.js';
import { loadBundle, ONNX_FILE, saveBundle } from '../bundle/bundle.js';
import { fit } from '../train/fit.js';
import { predict, type Prediction } from './predict.js';
import { loadOnnxRuntime, onnxPredictorFor } from './onnx-predictor.js';
import { predictFile } from './predict-file.js';

/** Three classes; the machine type flips what the waveform means; some records are shorter (padded). */
function dataset(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const records: SeriesRecord[] = [];
  for (let i = 0; i < n; i++) {
    const machine = ['A', 'B', 'C'][rng.int(3)]!;
    const kind = rng.int(3);
    const T = 8 + rng.int(5);
    const x = Float32Array.from({ length: T }, (_, t) => (kind - 1) * (t / T) + 0.2 * rng.normal());
    records.push({ id: `r${i}`, values: [x], metadata: { machine, noise: rng.normal() }, label: `c${(kind + (machine === 'B' ? 1 : 0)) % 3}` });
  }
  return {
    schema: { version: 1, channels: ['x'], metadata: { machine: { kind: 'categorical' }, noise: { kind: 'numeric' } }, context: {}, label: { name: 'y', task: 'multiclass' } },
    records,
  };
}

const config = (encoder: string, fusion: string) =>
  parseRunConfig({
    data: { series: { path: 'unused.csv' } },
    model: { encoder, fusion, units: 8, headUnits: 8, dropout: 0 },
    split: { valid: 0.25, test: 0.25, seed: 1 },
    train: { epochs: 1, batchSize: 16, learningRate: 0.02, backend: 'cpu', earlyStopping: false },
  });

function maxDiff(a: Prediction[], b: Prediction[]): number {
  let worst = 0;
  a.forEach((p, i) => {
    for (const [k, v] of Object.entries(p.probabilities!)) worst = Math.max(worst, Math.abs(v - b[i]!.probabilities![k]!));
    p.attention?.forEach((row, h) => row.forEach((v, t) => (worst = Math.max(worst, Math.abs(v - b[i]!.attention![h]![t]!)))));
  });
  return worst;
}

describe('predict with onnxruntime', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'ms-onnx-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('onnxruntime-node is installed in this workspace and loads', async () => {
    expect(await loadOnnxRuntime()).not.toBeNull();
  });

  it.each([
    ['lstm', 'attention'],
    ['transformer', 'film'],
  ])('%s × %s: a bundle saved with model.onnx predicts with onnxruntime what tfjs predicts (calibrated, padded, unseen category)', async (encoder, fusion) => {
    const data = dataset(64, 5);
    const { bundle } = await fit(config(encoder, fusion), data);
    const records = data.records.slice(0, 12).map((r, i) => (i % 4 === 0 ? { ...r, metadata: { ...r.metadata, machine: 'never-seen' } } : r));
    expect((bundle.preprocessing as { temperature: number }).temperature).not.toBe(1); // the calibration path is exercised
    const viaTfjs = await predict(bundle, records, { predictor: 'tfjs' });
    const viaOnnx = await predict(bundle, records, { predictor: 'onnx', batchSize: 5 });
    if (process.env['ONNX_EQUIVALENCE_REPORT'] !== undefined) console.log(`${encoder} × ${fusion} via predict: max |onnx − tfjs| = ${maxDiff(viaOnnx, viaTfjs)}, temperature ${(bundle.preprocessing as { temperature: number }).temperature}`);
    expect(maxDiff(viaOnnx, viaTfjs)).toBeLessThanOrEqual(1e-5);
    expect(viaOnnx.map((p) => p.label)).toEqual(viaTfjs.map((p) => p.label));

    const dir = path.join(root, 'model');
    const manifest = await saveBundle(bundle, dir, { onnx: true });
    expect(JSON.stringify(manifest)).toContain(ONNX_FILE);
    const loaded = await loadBundle(dir);
    expect(loaded.onnx).toEqual(new Uint8Array(readFileSync(path.join(dir, ONNX_FILE))));
    const fromFile = await predict(loaded, records); // 'auto' → the bundle's model.onnx
    expect(maxDiff(fromFile, viaTfjs)).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(await predict(loaded, records, { predictor: 'onnx' }), viaTfjs)).toBeLessThanOrEqual(1e-5);

    const input = path.join(root, 'in.jsonl');
    writeFileSync(input, records.map((r) => JSON.stringify({ id: r.id, values: { x: Array.from(r.values[0]!) }, metadata: r.metadata })).join('\n') + '\n');
    await predictFile(loaded, input, { output: path.join(root, 'out.jsonl'), predictor: 'onnx', batchSize: 5 });
    const lines = readFileSync(path.join(root, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Prediction);
    expect(maxDiff(lines, viaTfjs)).toBeLessThanOrEqual(1e-5);
  });

  it('a model onnxruntime cannot reproduce exactly: auto falls back to tfjs, onnx refuses', async () => {
    const x = tfl.input({ shape: [4, 2] });
    const model = tfl.model({ inputs: x, outputs: tfl.layers.simpleRNN({ units: 2, name: 'plain_rnn' }).apply(x) as tfl.SymbolicTensor });
    expect(await onnxPredictorFor(model, undefined, 'auto')).toBeNull();
    await expect(onnxPredictorFor(model, undefined, 'onnx')).rejects.toMatchObject({ code: 'ONNX_UNSUPPORTED_LAYER' });
  });
});
