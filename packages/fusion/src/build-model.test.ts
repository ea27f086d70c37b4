import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import { adaptModel, buildModel, ENCODERS, FUSIONS, lossOutputIndexes, trainingTargets } from './index.js';
import type { EncoderName, ModelConfigInput } from './model-config.js';
import { feed, TINY_T, tinyBatch, tinyConfig, tinySchema } from './testing/tiny-fixture.js';

const T = TINY_T;
const schema = tinySchema;
const tiny = tinyConfig;
const batch = tinyBatch;

function predictAll(model: tfl.LayersModel, data: Record<string, tf.Tensor>): tf.Tensor[] {
  const out = model.predict(feed(model, data));
  return Array.isArray(out) ? out : [out];
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe.each(ENCODERS.map((e) => [e]))('%s encoder', (encoder) => {
  it.each(FUSIONS.map((f) => [f]))('%s fusion: save → load predicts the same, leaks no tensor, ignores padded values', async (fusion) => {
    if (encoder === 'minirocket' && (fusion === 'early' || fusion === 'attention')) {
      // one pooled vector per record: nothing to repeat over or attend to
      expect(() => buildModel({ ...tiny, encoder, fusion }, schema, { seed: 3 })).toThrow(expect.objectContaining({ code: 'FUSION_INVALID_CONFIG', details: expect.objectContaining({ field: 'fusion' }) }));
      return;
    }
    const model = buildModel({ ...tiny, encoder, fusion }, schema, { seed: 3 });
    const data = batch([6, 4, 1, 3], 0, 11);
    if (encoder === 'minirocket') {
      // its biases come from training inputs (here the batch itself)
      adaptModel(model, [Object.fromEntries(Object.entries(data).map(([k, t]) => [k, { dtype: t.dtype as 'float32' | 'int32', shape: t.shape, data: t.dataSync() as Float32Array | Int32Array }]))]);
    }
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

describe('early fusion', () => {
  const layerClasses = (model: tfl.LayersModel) => model.layers.map((l) => l.getClassName());
  it('reads the metadata in the first layer of a one-way LSTM, with the kernel a RepeatConcat would give it', () => {
    const model = buildModel({ ...tiny, encoder: 'lstm', fusion: 'early' }, schema, { seed: 3 });
    expect(layerClasses(model)).not.toContain('MetaseriesRepeatConcat');
    const lstms = model.layers.filter((l) => l.getClassName() === 'MetaseriesFusedLstm');
    expect(lstms[0]!.getConfig()['staticContext']).toBe(true);
    expect(lstms.slice(1).map((l) => l.getConfig()['staticContext'])).toEqual(lstms.slice(1).map(() => false));
    const concat = buildModel({ ...tiny, encoder: 'lstm', fusion: 'late' }, schema, { seed: 3 });
    const [steps] = concat.layers.filter((l) => l.getClassName() === 'MetaseriesFusedLstm')[0]!.getWeights()[0]!.shape;
    const [withMeta] = lstms[0]!.getWeights()[0]!.shape;
    // early fusion's kernel has rows for the metadata beyond the steps' own
    expect(withMeta).toBeGreaterThan(steps!);
  });
  const others: Array<[EncoderName, Partial<ModelConfigInput>]> = [['gru', {}], ['lstm', { recurrent: { units: [4], bidirectional: true } }], ['fcn', {}]];
  it.each(others)('repeats it over time and concatenates it for %s %j', (encoder, extra) => {
    const model = buildModel({ ...tiny, encoder, fusion: 'early', ...extra }, schema, { seed: 3 });
    expect(layerClasses(model)).toContain('MetaseriesRepeatConcat');
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

describe('ensemble', () => {
  it('averages independently initialised members, saves and loads exactly, and trains each member on its own loss', async () => {
    const data = batch([6, 4, 1, 3], 0, 11);
    const single = buildModel({ ...tiny, encoder: 'fcn', fusion: 'attention' }, schema, { seed: 3 });
    const model = buildModel({ ...tiny, encoder: 'fcn', fusion: 'attention', ensemble: 3 }, schema, { seed: 3 });
    expect(model.outputNames).toEqual(['probabilities', 'attention', 'probabilities_member_1', 'probabilities_member_2', 'probabilities_member_3']);
    expect(lossOutputIndexes(model, 'probabilities')).toEqual([2, 3, 4]);
    expect(lossOutputIndexes(single, 'probabilities')).toEqual([0]);
    expect(model.countParams()).toBe(3 * single.countParams());
    const [mean, attention, ...members] = predictAll(model, data);
    // member 1 is the single model (same seeds); the others differ from it
    const [singleOut] = predictAll(single, data);
    expect(Array.from(members[0]!.dataSync())).toEqual(Array.from(singleOut!.dataSync()).map((v) => expect.closeTo(v, 6)));
    expect(Array.from(members[1]!.dataSync())).not.toEqual(Array.from(members[0]!.dataSync()));
    const byHand = tf.div(tf.addN(members), 3);
    expect(tf.max(tf.abs(tf.sub(byHand, mean!))).dataSync()[0]).toBeLessThan(1e-6);
    expect(attention!.shape).toEqual([4, 2, T]);
    // averaged attention weights still sum to 1 over the real steps
    tf.sum(attention!, -1).dataSync().forEach((s) => expect(s).toBeCloseTo(1, 5));

    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const again = predictAll(loaded, data);
    expect(Array.from(again[0]!.dataSync())).toEqual(Array.from(mean!.dataSync()));

    // model.fit trains the members (the averaged output and the attention carry no loss)
    const y = tf.oneHot(tf.cast(tf.mod(tf.reshape(data.meta_kind, [-1]), 3), 'int32') as tf.Tensor1D, 3);
    const history = await model.fit(feed(model, data), trainingTargets(model, y, T), { epochs: 3, verbose: 0, batchSize: 4 });
    expect(Object.keys(history.history)).toEqual(expect.arrayContaining(['probabilities_member_1_loss', 'probabilities_loss']));
    expect((history.history.probabilities_loss as number[]).every((l) => l === 0)).toBe(true);
    tf.dispose([mean!, attention!, ...members, singleOut!, byHand, ...again, y]);
    model.dispose();
    single.dispose();
    loaded.dispose();
  });

  it('rejects an ensemble size that is not an integer in [1, 32], naming the key', () => {
    expect(() => buildModel({ ...tiny, ensemble: 0 }, schema)).toThrow(expect.objectContaining({ code: 'FUSION_INVALID_CONFIG', details: expect.objectContaining({ field: 'ensemble' }) }));
    expect(() => buildModel({ ...tiny, ensemble: 2.5 }, schema)).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'ensemble' }) }));
    expect(() => buildModel({ ...tiny, ensemble: 33 }, schema)).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'ensemble' }) }));
  });
});
