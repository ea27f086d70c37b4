/** @jest-environment ./src/testing/onnx-environment.mjs */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import { ApplyMask } from '../layers/apply-mask.js';
import { FusedGru } from '../layers/fused-gru.js';
import { FUSIONS } from '../model-config.js';
import { compareWithOnnx, ONNX_T, onnxBatch, onnxPairModel, scrambleWeights } from '../testing/onnx-equivalence.js';

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

/** `series [T,2]` and `mask [T]` (the names `onnxBatch` fills) through `recurrent` and a softmax head. */
function seriesModel(recurrent: (series: tfl.SymbolicTensor, mask: tfl.SymbolicTensor) => tfl.SymbolicTensor): tfl.LayersModel {
  const series = tfl.input({ shape: [ONNX_T, 2], name: 'series' });
  const mask = tfl.input({ shape: [ONNX_T], name: 'mask' });
  const probabilities = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'probabilities' }).apply(recurrent(series, mask)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [series, mask], outputs: probabilities });
  scrambleWeights(model, 23);
  return model;
}

async function saveAndLoad(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('ONNX export of the fused GRU', () => {
  it('the one-way gru encoder runs on MetaseriesFusedGru; bidirectional keeps tfjs-layers GRU', () => {
    expect(onnxPairModel('gru', 'late').layers.map((l) => l.getClassName())).toContain('MetaseriesFusedGru');
    const bi = onnxPairModel('gru', 'late', ONNX_T, { recurrent: { units: [3], bidirectional: true } });
    expect(bi.layers.map((l) => l.getClassName())).not.toContain('MetaseriesFusedGru');
  });

  it.each([['hardSigmoid'], ['sigmoid']] as const)('FusedGru with %s gates, returning its last state (padded steps, holes): onnxruntime predicts what tfjs predicts', async (recurrentActivation) => {
    const model = seriesModel((x, m) => new FusedGru({ units: 4, returnSequences: false, seed: 2, recurrentActivation }).apply([x, m]) as tfl.SymbolicTensor);
    const { maxAbsDiff } = await compareWithOnnx(model, onnxBatch(ONNX_T, 5));
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('a bundle saved before the fused GRU (tfjs-layers GRU after a propagated mask) loads as GRU, predicts the same and exports', async () => {
    const model = seriesModel((x, m) => {
      const masked = new ApplyMask({ propagate: true }).apply([x, m]) as tfl.SymbolicTensor;
      return tfl.layers.gru({ units: 4, returnSequences: false }).apply(masked) as tfl.SymbolicTensor;
    });
    const loaded = await saveAndLoad(model);
    expect(loaded.layers.map((l) => l.getClassName())).toContain('GRU');
    expect(loaded.layers.map((l) => l.getClassName())).not.toContain('MetaseriesFusedGru');
    const batch = onnxBatch(ONNX_T, 8);
    const inputs = loaded.inputNames.map((n) => tf.tensor(batch[n]!.data, batch[n]!.shape));
    expect((loaded.predict(inputs) as tf.Tensor).arraySync()).toEqual((model.predict(inputs) as tf.Tensor).arraySync());
    const { maxAbsDiff } = await compareWithOnnx(loaded, batch);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
});
