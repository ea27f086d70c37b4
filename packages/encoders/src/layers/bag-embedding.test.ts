import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import { BagEmbedding } from './bag-embedding.js';

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('BagEmbedding', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('round-trips its config', () => {
    const layer = new BagEmbedding({ units: 3, seed: 5, name: 'bag_x' });
    const again = tf.serialization.SerializationMap.getMap().classNameMap[BagEmbedding.className]![1](BagEmbedding, layer.getConfig()) as BagEmbedding;
    expect(again.getConfig()).toEqual(layer.getConfig());
    expect(BagEmbedding.className).not.toMatch(/>/);
  });

  it('averages the embeddings of the present tags and ignores the absent ones (weights 1/n)', () => {
    const x = tfl.input({ shape: [4] });
    const layer = new BagEmbedding({ units: 2, seed: 1 });
    const model = tfl.model({ inputs: x, outputs: layer.apply(x) as tfl.SymbolicTensor });
    const E = layer.getWeights()[0]!.arraySync() as number[][];
    const y = tf.tidy(() => (model.predict(tf.tensor2d([[0, 0.5, 0.5, 0], [0, 0, 0, 0]])) as tf.Tensor).arraySync()) as number[][];
    expect(y[0]![0]).toBeCloseTo((E[1]![0]! + E[2]![0]!) / 2, 6);
    expect(y[0]![1]).toBeCloseTo((E[1]![1]! + E[2]![1]!) / 2, 6);
    expect(y[1]).toEqual([0, 0]); // an empty bag (or a padded step) is the zero vector
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[4, 2]]);
  });

  it('embeds every step of a [B, T, V] input', () => {
    const x = tfl.input({ shape: [5, 4] });
    const out = new BagEmbedding({ units: 3 }).apply(x) as tfl.SymbolicTensor;
    expect(out.shape).toEqual([null, 5, 3]);
  });

  it('saves and loads with identical outputs and leaks no tensor across predict', async () => {
    const x = tfl.input({ shape: [3, 6] });
    const model = tfl.model({ inputs: x, outputs: new BagEmbedding({ units: 4, seed: 3, name: 'bag_mode' }).apply(x) as tfl.SymbolicTensor });
    const loaded = await roundTrip(model);
    const input = tf.randomUniform([2, 3, 6], 0, 1, 'float32', 7);
    const before = tf.memory().numTensors;
    const a = tf.tidy(() => (model.predict(input) as tf.Tensor).arraySync());
    const b = tf.tidy(() => (loaded.predict(input) as tf.Tensor).arraySync());
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toEqual(a);
    expect(loaded.layers.map((l) => l.getClassName())).toContain('MetaseriesBagEmbedding');
    input.dispose();
  });

  it('refuses units that are not a positive integer with ENCODER_BAD_OPTION', () => {
    expect(() => new BagEmbedding({ units: 0 })).toThrow(expect.objectContaining({ code: 'ENCODER_BAD_OPTION' }));
  });
});
