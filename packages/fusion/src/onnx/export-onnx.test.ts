/** @jest-environment ./src/testing/onnx-environment.mjs */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, isMetaseriesError } from '@metaseries/core';
import { FUSIONS } from '../model-config.js';
import { compareWithOnnx, ONNX_T, onnxBatch, onnxPairModel } from '../testing/onnx-equivalence.js';
import { exportOnnx } from './export-onnx.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const report = process.env['ONNX_EQUIVALENCE_REPORT'] !== undefined;

describe.each([['fcn'], ['resnet'], ['inception'], ['transformer']] as const)('ONNX export of the %s encoder', (encoder) => {
  it.each(FUSIONS.map((f) => [f]))('%s fusion: onnxruntime predicts what tfjs predicts (padded steps, holes, unknown categories)', async (fusion) => {
    const model = onnxPairModel(encoder, fusion);
    const { maxAbsDiff, shapes } = await compareWithOnnx(model, onnxBatch(ONNX_T, 3));
    if (report) console.log(`${encoder} × ${fusion}: ${JSON.stringify(maxAbsDiff)}`);
    expect(shapes['probabilities']).toEqual([6, 3]);
    if (fusion === 'attention') expect(shapes['attention']).toEqual([6, 2, ONNX_T]);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

describe('ONNX export of variable-length models', () => {
  it.each([['transformer'], ['inception']] as const)('%s with timeSteps null runs on a longer batch than it was built for', async (encoder) => {
    const model = onnxPairModel(encoder, 'attention', null);
    const { maxAbsDiff, shapes } = await compareWithOnnx(model, onnxBatch(11, 8));
    if (report) console.log(`${encoder} × attention (T variable, 11 steps): ${JSON.stringify(maxAbsDiff)}`);
    expect(shapes['attention']).toEqual([6, 2, 11]);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

describe('ONNX export of other tasks and of loaded models', () => {
  it.each([['binary'], ['multilabel'], ['regression']] as const)('%s head (sigmoid or linear output)', async (task) => {
    const model = onnxPairModel('transformer', 'late', ONNX_T, {}, task);
    const { maxAbsDiff } = await compareWithOnnx(model, onnxBatch(ONNX_T, 9));
    if (report) console.log(`transformer × late, ${task}: ${JSON.stringify(maxAbsDiff)}`);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
  it.each([['fcn', 'attention'], ['gru', 'film']] as const)('an ensemble of 3 (%s × %s): the mean output, the averaged attention and every member match', async (encoder, fusion) => {
    const model = onnxPairModel(encoder, fusion, ONNX_T, { ensemble: 3 });
    const { maxAbsDiff } = await compareWithOnnx(model, onnxBatch(ONNX_T, 12));
    expect(Object.keys(maxAbsDiff)).toEqual(model.outputNames);
    for (const diff of Object.values(maxAbsDiff)) expect(diff).toBeLessThanOrEqual(1e-5);
  });
  it('a model saved and loaded again (weights found by name) exports the same', async () => {
    const model = onnxPairModel('resnet', 'gated');
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const { maxAbsDiff } = await compareWithOnnx(loaded, onnxBatch(ONNX_T, 10));
    expect(maxAbsDiff['probabilities']).toBeLessThanOrEqual(1e-5);
  });
});

describe('what cannot be exported', () => {
  function thrown(f: () => unknown): unknown {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  }
  it('a layer class without a converter: ONNX_UNSUPPORTED_LAYER naming class and layer', () => {
    const x = tfl.input({ shape: [5, 2] });
    const y = tfl.layers.simpleRNN({ units: 3, name: 'my_rnn' }).apply(x) as tfl.SymbolicTensor;
    const e = thrown(() => exportOnnx(tfl.model({ inputs: x, outputs: y })));
    expect(isMetaseriesError(e) && e.code).toBe('ONNX_UNSUPPORTED_LAYER');
    expect((e as Error).message).toMatch(/my_rnn \(SimpleRNN\)/);
  });
  it('a setting without an exact equivalent (strided same convolution, LSTM goBackwards)', () => {
    const x = tfl.input({ shape: [6, 2] });
    const conv = tfl.layers.conv1d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', name: 'strided' }).apply(x) as tfl.SymbolicTensor;
    expect((thrown(() => exportOnnx(tfl.model({ inputs: x, outputs: conv }))) as Error).message).toMatch(/strided \(Conv1D\).*stride 2/);
    const back = tfl.layers.lstm({ units: 2, goBackwards: true, name: 'back' }).apply(x) as tfl.SymbolicTensor;
    expect((thrown(() => exportOnnx(tfl.model({ inputs: x, outputs: back }))) as Error).message).toMatch(/back \(LSTM\).*goBackwards/);
  });
});
