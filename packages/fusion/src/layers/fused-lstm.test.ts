import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, createRng } from '@metaseries/core';
import { FusedLstm } from './fused-lstm.js';

function seeded(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

function model(T: number, F: number, layer: tfl.layers.Layer): tfl.LayersModel {
  const x = tfl.input({ shape: [T, F] });
  const m = tfl.input({ shape: [T] });
  const out = layer.apply([x, m]) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [x, m], outputs: out });
}

describe.each(['cpu', 'wasm'] as const)('FusedLstm on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('computes what tfjs-layers LSTM (sigmoid gates) computes with the same weights', () => {
    const T = 7, F = 3, U = 4;
    const fused = model(T, F, new FusedLstm({ units: U, returnSequences: true, seed: 3 }));
    const ref = tfl.sequential({ layers: [tfl.layers.lstm({ units: U, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, F] })] });
    ref.setWeights(fused.getWeights());
    const x = seeded([2, T, F], 4);
    const ones = tf.ones([2, T]);
    const a = (fused.predict([x, ones]) as tf.Tensor).arraySync() as number[][][];
    const b = (ref.predict(x) as tf.Tensor).arraySync() as number[][][];
    a.forEach((r, i) => r.forEach((s, t) => s.forEach((v, u) => expect(v).toBeCloseTo(b[i]![t]![u]!, 5))));
  });

  it('round-trips its config, saves and loads with identical outputs, and leaks no tensor', async () => {
    const layer = new FusedLstm({ units: 5, returnSequences: false, seed: 9, name: 'lstm_a' });
    const m = model(6, 2, layer);
    const cfg = layer.getConfig();
    expect(new FusedLstm(cfg as never).getConfig()).toEqual(cfg);
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const x = seeded([3, 6, 2], 10);
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0]]);
    const before = tf.memory().numTensors;
    const p1 = tf.tidy(() => (m.predict([x, mask]) as tf.Tensor).arraySync());
    const p2 = tf.tidy(() => (loaded.predict([x, mask]) as tf.Tensor).arraySync());
    expect(tf.memory().numTensors).toBe(before);
    expect(p2).toEqual(p1);
  });

  it('ignores what stands in padded steps', () => {
    const m = model(5, 2, new FusedLstm({ units: 3, returnSequences: false, seed: 1 }));
    const mask = tf.tensor2d([[1, 1, 1, 0, 0]]);
    const x1 = seeded([1, 5, 2], 2);
    const x2 = tf.concat([tf.slice(x1, [0, 0, 0], [1, 3, 2]), tf.fill([1, 2, 2], 99)], 1);
    expect((m.predict([x2, mask]) as tf.Tensor).arraySync()).toEqual((m.predict([x1, mask]) as tf.Tensor).arraySync());
  });
});

describe('orthogonalRows', () => {
  it('gives orthonormal rows, seeded', async () => {
    const { orthogonalRows } = await import('./fused-lstm.js');
    const m = orthogonalRows(4, 16, 3);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let k = 0; k < 16; k++) dot += m[i * 16 + k]! * m[j * 16 + k]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    expect(orthogonalRows(4, 16, 3)).toEqual(m);
  });
});
