/** @jest-environment ./src/testing/onnx-environment.mjs */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import { FUSIONS } from '../model-config.js';
import { compareWithOnnx, ONNX_T, onnxBatch, onnxPairModel } from '../testing/onnx-equivalence.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const report = process.env['ONNX_EQUIVALENCE_REPORT'] !== undefined;

describe.each([['lstm'], ['gru']] as const)('ONNX export of the %s encoder', (encoder) => {
  it.each(FUSIONS.map((f) => [f]))('%s fusion: onnxruntime predicts what tfjs predicts (padded steps, holes, unknown categories)', async (fusion) => {
    const model = onnxPairModel(encoder, fusion);
    const { maxAbsDiff, shapes } = await compareWithOnnx(model, onnxBatch(ONNX_T, 3));
    if (report) console.log(`${encoder} × ${fusion}: ${JSON.stringify(maxAbsDiff)}`);
    expect(shapes['probabilities']).toEqual([6, 3]);
    if (fusion === 'attention') expect(shapes['attention']).toEqual([6, 2, ONNX_T]);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
  it('bidirectional, variable length: the same', async () => {
    const model = onnxPairModel(encoder, 'attention', null, { recurrent: { units: [3, 2], bidirectional: true } });
    const { maxAbsDiff } = await compareWithOnnx(model, onnxBatch(9, 4));
    if (report) console.log(`${encoder} bidirectional × attention (T variable): ${JSON.stringify(maxAbsDiff)}`);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

describe('ONNX export of long recurrent sequences', () => {
  it.each([['lstm'], ['gru']] as const)('%s over 100 steps (errors do not build up along the sequence)', async (encoder) => {
    const model = onnxPairModel(encoder, 'attention', 100);
    const { maxAbsDiff } = await compareWithOnnx(model, onnxBatch(100, 12));
    if (report) console.log(`${encoder} × attention, T = 100: ${JSON.stringify(maxAbsDiff)}`);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

describe('ONNX export of loaded recurrent models', () => {
  it.each([['lstm'], ['gru']] as const)('%s × attention saved and loaded again exports the same', async (encoder) => {
    const model = onnxPairModel(encoder, 'attention');
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const { maxAbsDiff } = await compareWithOnnx(loaded, onnxBatch(ONNX_T, 11));
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
});
