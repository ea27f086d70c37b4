import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, createRng } from '@metaseries/core';
import { FusedLstm } from './fused-lstm.js';
import { RepeatConcat } from './repeat-concat.js';

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

  describe('with a static context (early fusion)', () => {
    const T = 6, F = 3, D = 4, U = 8; // U = 8: the SIMD gates on wasm
    /** `[x, mask, v]` → the layer, either reading `v` itself or after a RepeatConcat. */
    const contextModel = (direct: boolean) => {
      const x = tfl.input({ shape: [T, F] });
      const m = tfl.input({ shape: [T] });
      const v = tfl.input({ shape: [D] });
      const out = direct
        ? (new FusedLstm({ units: U, seed: 5, staticContext: true, name: 'ctx_lstm' }).apply([x, m, v]) as tfl.SymbolicTensor)
        : (new FusedLstm({ units: U, seed: 5, name: 'ctx_lstm' }).apply([new RepeatConcat().apply([x, v]) as tfl.SymbolicTensor, m]) as tfl.SymbolicTensor);
      return tfl.model({ inputs: [x, m, v], outputs: out });
    };
    const x = () => seeded([3, T, F], 21);
    const v = () => seeded([3, D], 22);
    const mask = () => tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [0, 1, 1, 0, 1, 1]]);

    it('has the kernel [F + D, 4U] and computes what RepeatConcat then FusedLstm compute, gradients included', () => {
      const direct = contextModel(true);
      const concat = contextModel(false);
      expect(direct.getWeights()[0]!.shape).toEqual([F + D, 4 * U]);
      concat.setWeights(direct.getWeights());
      const inputs = [x(), mask(), v()];
      const a = direct.predict(inputs) as tf.Tensor;
      const b = concat.predict(inputs) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
      // the gradients of every weight and of the context, through a probe
      const probe = seeded([3, T, U], 23);
      const context = tf.variable(inputs[2]!);
      const grads = (mdl: tfl.LayersModel) => {
        const vars = [...mdl.trainableWeights.map((w) => w.read() as tf.Variable), context];
        const { grads: byName } = tf.variableGrads(() => tf.sum(tf.mul(mdl.apply([inputs[0]!, inputs[1]!, context]) as tf.Tensor, probe)) as tf.Scalar, vars);
        return vars.map((w) => byName[w.name]!);
      };
      const ga = grads(direct);
      const gb = grads(concat);
      expect(ga).toHaveLength(4);
      ga.forEach((g, i) => {
        expect(g.shape).toEqual(gb[i]!.shape);
        expect(tf.max(tf.abs(tf.sub(g, gb[i]!))).dataSync()[0]).toBeLessThan(1e-4);
      });
    });

    it('round-trips its config, saves and loads with identical outputs', async () => {
      const m = contextModel(true);
      const layer = m.getLayer('ctx_lstm') as FusedLstm;
      expect(layer.getConfig()).toMatchObject({ staticContext: true });
      expect(new FusedLstm(layer.getConfig() as never).getConfig()).toEqual(layer.getConfig());
      let saved: tf.io.ModelArtifacts | undefined;
      await m.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
      const inputs = [x(), mask(), v()];
      expect((loaded.predict(inputs) as tf.Tensor).arraySync()).toEqual((m.predict(inputs) as tf.Tensor).arraySync());
    });
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
