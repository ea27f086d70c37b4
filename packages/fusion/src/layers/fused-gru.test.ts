import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, createRng } from '@metaseries/core';
import { FusedGru } from './fused-gru.js';

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

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const MASK = [
  [1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0, 0, 0],
  [0, 1, 0, 1, 1, 0, 1],
];

describe.each(['cpu', 'wasm'] as const)('FusedGru on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it.each(['hardSigmoid', 'sigmoid'] as const)('computes what tfjs-layers GRU (%s gates) computes with the same weights, padded steps included', (recurrentActivation) => {
    const T = 7, F = 3, U = 4;
    const layer = new FusedGru({ units: U, returnSequences: true, seed: 3, recurrentActivation });
    const fused = model(T, F, layer);
    // random bias too: the default (zeros) would not show a bias on the wrong side
    layer.setWeights([layer.getWeights()[0]!, layer.getWeights()[1]!, seeded([3 * U], 8)]);
    const ref = tfl.layers.gru({ units: U, returnSequences: true, recurrentActivation });
    ref.build([3, T, F]);
    ref.setWeights(layer.getWeights());
    expect(ref.getWeights().map((w) => w.shape)).toEqual(layer.getWeights().map((w) => w.shape));
    expect(ref.weights.map((w) => w.originalName?.split('/').pop())).toEqual(layer.weights.map((w) => w.originalName?.split('/').pop()));
    const x = seeded([3, T, F], 4);
    const mask = tf.tensor2d(MASK);
    const a = fused.predict([x, mask]) as tf.Tensor;
    const b = ref.call(x, { mask }) as tf.Tensor;
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
  });

  it('trains like tfjs-layers GRU: one SGD step moves the weights the same way', async () => {
    const T = 7, F = 3, U = 4;
    const head = (seq: tfl.SymbolicTensor) => tfl.layers.dense({ units: 1, kernelInitializer: 'ones', name: 'head' }).apply(seq) as tfl.SymbolicTensor;
    const layer = new FusedGru({ units: U, returnSequences: false, seed: 5 });
    const xIn = tfl.input({ shape: [T, F] });
    const mIn = tfl.input({ shape: [T] });
    const fused = tfl.model({ inputs: [xIn, mIn], outputs: head(layer.apply([xIn, mIn]) as tfl.SymbolicTensor) });
    const xRef = tfl.input({ shape: [T, F] });
    const masked = tfl.layers.masking({ maskValue: 0 }).apply(xRef) as tfl.SymbolicTensor;
    const ref = tfl.model({ inputs: xRef, outputs: head(tfl.layers.gru({ units: U }).apply(masked) as tfl.SymbolicTensor) });
    ref.setWeights(fused.getWeights());
    fused.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    ref.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const mask = tf.tensor2d(MASK);
    // Masking reads padding from all-zero steps: make the padded steps zero and the real ones not
    const x = tf.mul(tf.add(tf.abs(seeded([3, T, F], 6)), 0.1), tf.expandDims(mask, -1));
    const y = seeded([3, 1], 7);
    const start = fused.getWeights()[1]!.clone();
    const lossFused = (await fused.trainOnBatch([x, mask], y)) as number;
    const lossRef = (await ref.trainOnBatch(x, y)) as number;
    expect(Math.abs(lossFused - lossRef)).toBeLessThan(1e-5);
    fused.getWeights().forEach((w, i) => expect(maxAbsDiff(w, ref.getWeights()[i]!)).toBeLessThan(1e-5));
    expect(maxAbsDiff(fused.getWeights()[1]!, start)).toBeGreaterThan(1e-3); // the recurrent kernel did move
  });

  it('round-trips its config, saves and loads with identical outputs, and leaks no tensor', async () => {
    const layer = new FusedGru({ units: 5, returnSequences: false, seed: 9, name: 'gru_a', recurrentActivation: 'sigmoid' });
    const m = model(7, 2, layer);
    const cfg = layer.getConfig();
    expect(new FusedGru(cfg as never).getConfig()).toEqual(cfg);
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toContain('MetaseriesFusedGru');
    const x = seeded([3, 7, 2], 10);
    const mask = tf.tensor2d(MASK);
    const before = tf.memory().numTensors;
    const p1 = tf.tidy(() => (m.predict([x, mask]) as tf.Tensor).arraySync());
    const p2 = tf.tidy(() => (loaded.predict([x, mask]) as tf.Tensor).arraySync());
    expect(tf.memory().numTensors).toBe(before);
    expect(p2).toEqual(p1);
  });

  it('ignores what stands in padded steps', () => {
    const m = model(5, 2, new FusedGru({ units: 3, returnSequences: false, seed: 1 }));
    const mask = tf.tensor2d([[1, 1, 1, 0, 0]]);
    const x1 = seeded([1, 5, 2], 2);
    const x2 = tf.concat([tf.slice(x1, [0, 0, 0], [1, 3, 2]), tf.fill([1, 2, 2], 99)], 1);
    expect((m.predict([x2, mask]) as tf.Tensor).arraySync()).toEqual((m.predict([x1, mask]) as tf.Tensor).arraySync());
  });

  it('rejects bad arguments', () => {
    expect(() => new FusedGru({ units: 0 })).toThrow(/units/);
    expect(() => new FusedGru({ units: 2, recurrentActivation: 'relu' as never })).toThrow(/recurrentActivation/);
  });
});
