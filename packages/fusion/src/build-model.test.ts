import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { buildModel, ENCODERS, FUSIONS, trainingTargets, type ModelConfigInput } from './index.js';

const T = 6;
const schema: EncodedSchema = {
  channels: 2,
  timeSteps: T,
  inputs: [
    { name: 'series', shape: [T, 2], dtype: 'float32', role: 'series' },
    { name: 'mask', shape: [T], dtype: 'float32', role: 'mask' },
    { name: 'meta_kind', shape: [1], dtype: 'int32', role: 'metadata', field: 'kind' },
    { name: 'meta_age', shape: [2], dtype: 'float32', role: 'metadata', field: 'age' },
    { name: 'ctx_numeric', shape: [T, 1], dtype: 'float32', role: 'context', field: 'mode' },
  ],
  fields: [
    { name: 'kind', kind: 'categorical', scope: 'static', width: 3, inputs: ['meta_kind'], cardinality: 4 },
    { name: 'age', kind: 'numeric', scope: 'static', width: 2, inputs: ['meta_age'] },
    { name: 'mode', kind: 'numeric', scope: 'context', width: 1, inputs: ['ctx_numeric'] },
  ],
  metadataWidth: 5,
  contextWidth: 1,
  task: 'multiclass',
  outputs: 3,
};

const tiny: ModelConfigInput = {
  recurrent: { units: [4, 3] },
  fcn: { filters: [4, 4], kernelSizes: [3, 2] },
  resnet: { filters: [4, 5], kernelSizes: [3, 2, 1] },
  inception: { depth: 3, filters: 2, bottleneck: 2, kernelSizes: [4, 2] },
  transformer: { dModel: 4, heads: 2, layers: 1, feedForward: 8 },
  attention: { heads: 2, keyDim: 3 },
  metadataUnits: [4],
  headUnits: 4,
  dropout: 0.1,
};

/** A batch of B records; the first `lengths[i]` steps of record i are real. */
function batch(lengths: number[], padValue: number, seed: number): Record<string, tf.Tensor> {
  const b = lengths.length;
  const series = tf.randomNormal([b, T, 2], 0, 1, 'float32', seed);
  const ctx = tf.randomNormal([b, T, 1], 0, 1, 'float32', seed + 1);
  const maskData = new Float32Array(b * T);
  lengths.forEach((len, i) => maskData.fill(1, i * T, i * T + len));
  const mask = tf.tensor2d(maskData, [b, T]);
  const pad = tf.expandDims(tf.sub(1, mask), -1);
  const keep = tf.expandDims(mask, -1);
  return {
    series: tf.add(tf.mul(series, keep), tf.mul(pad, padValue)),
    mask,
    meta_kind: tf.tensor2d(lengths.map((_, i) => i % 4), [b, 1], 'int32'),
    meta_age: tf.randomNormal([b, 2], 0, 1, 'float32', seed + 2),
    ctx_numeric: tf.add(tf.mul(ctx, keep), tf.mul(pad, -padValue)),
  };
}

function feed(model: tfl.LayersModel, data: Record<string, tf.Tensor>): tf.Tensor[] {
  return model.inputNames.map((n) => data[n]);
}

function predictAll(model: tfl.LayersModel, data: Record<string, tf.Tensor>): tf.Tensor[] {
  const out = model.predict(feed(model, data));
  return Array.isArray(out) ? out : [out];
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe.each(ENCODERS.map((e) => [e]))('%s encoder', (encoder) => {
  it.each(FUSIONS.map((f) => [f]))('%s fusion: save → load predicts the same, leaks no tensor, ignores padded values', async (fusion) => {
    const model = buildModel({ ...tiny, encoder, fusion }, schema, { seed: 3 });
    const data = batch([6, 4, 1, 3], 0, 11);
    const before = tf.memory().numTensors;
    const out = predictAll(model, data);
    expect(tf.memory().numTensors - before).toBe(out.length);
    expect(out[0].shape).toEqual([4, 3]);
    if (fusion === 'attention') expect(out[1].shape).toEqual([4, 2, T]);

    // Padded steps hold other values: nothing changes.
    const other = batch([6, 4, 1, 3], 1e3, 11);
    const outOther = predictAll(model, other);
    for (let i = 0; i < out.length; i++) {
      expect(Array.from(outOther[i].dataSync())).toEqual(Array.from(out[i].dataSync()).map((v) => expect.closeTo(v, 5)));
    }

    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.inputNames).toEqual(model.inputNames);
    expect(loaded.outputNames).toEqual(model.outputNames);
    const reloaded = predictAll(loaded, data);
    for (let i = 0; i < out.length; i++) expect(Array.from(reloaded[i].dataSync())).toEqual(Array.from(out[i].dataSync()));
    tf.dispose([...out, ...outOther, ...reloaded, ...Object.values(data), ...Object.values(other)]);
    model.dispose();
    loaded.dispose();
  });
});

it('trains: the loss falls on a learnable toy task', async () => {
  const model = buildModel({ ...tiny, encoder: 'gru', fusion: 'attention' }, schema, { seed: 1, learningRate: 0.01 });
  const data = batch([6, 6, 5, 4, 6, 3, 6, 2], 0, 5);
  const y = tf.oneHot(tf.cast(tf.mod(tf.reshape(data.meta_kind, [-1]), 3), 'int32') as tf.Tensor1D, 3);
  const targets = trainingTargets(model, y, T);
  const history = await model.fit(feed(model, data), targets, { epochs: 30, verbose: 0, batchSize: 8 });
  const loss = history.history.loss as number[];
  expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.7);
});
