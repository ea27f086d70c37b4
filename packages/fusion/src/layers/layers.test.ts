import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@metaseries/core';
import { ApplyMask } from './apply-mask.js';
import { Film } from './film.js';
import { MaskedPooling } from './masked-pooling.js';
import { MetadataAttentionPooling } from './metadata-attention-pooling.js';
import { MetadataGate } from './metadata-gate.js';
import { MultiHeadSelfAttention } from './multi-head-self-attention.js';
import { PositionalEncoding } from './positional-encoding.js';
import { RepeatConcat } from './repeat-concat.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const mask = () => tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]);

/** Round-trips a layer through its config and the class registry, keeping the weights. */
function cloneLayer(layer: tfl.layers.Layer): tfl.layers.Layer {
  const config = layer.getConfig();
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  expect(entry).toBeDefined();
  const [cls, fromConfig] = entry;
  const copy = fromConfig(cls, config) as unknown as tfl.layers.Layer;
  expect(copy.getConfig()).toEqual(config);
  return copy;
}

describe('every custom layer', () => {
  const cases: Array<[string, () => tfl.layers.Layer, () => tf.Tensor[]]> = [
    ['ApplyMask', () => new ApplyMask({ propagate: true }), () => [tf.randomNormal([3, 5, 2], 0, 1, 'float32', 1), mask()]],
    ['MaskedPooling', () => new MaskedPooling({ mode: 'last' }), () => [tf.randomNormal([3, 5, 2], 0, 1, 'float32', 1), mask()]],
    ['RepeatConcat', () => new RepeatConcat(), () => [tf.randomNormal([3, 5, 2], 0, 1, 'float32', 1), tf.randomNormal([3, 4], 0, 1, 'float32', 2)]],
    ['PositionalEncoding', () => new PositionalEncoding(), () => [tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1)]],
    ['MultiHeadSelfAttention', () => new MultiHeadSelfAttention({ heads: 2, keyDim: 3, seed: 1 }), () => [tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1), mask()]],
    ['MetadataAttentionPooling', () => new MetadataAttentionPooling({ heads: 2, keyDim: 3, seed: 1 }), () => [tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1), tf.randomNormal([3, 2], 0, 1, 'float32', 2), mask()]],
    ['Film', () => new Film(), () => [tf.randomNormal([3, 4], 0, 1, 'float32', 1), tf.randomNormal([3, 2], 0, 1, 'float32', 2)]],
    ['MetadataGate', () => new MetadataGate({ seed: 4 }), () => [tf.randomNormal([3, 4], 0, 1, 'float32', 1), tf.randomNormal([3, 2], 0, 1, 'float32', 2)]],
  ];

  it.each(cases)('%s: class name is prefixed, config round-trips, weights are its own, no tensor leaks', (_name, make, inputs) => {
    const layer = make();
    expect(layer.getClassName()).toMatch(/^Metaseries[A-Za-z]+$/);
    const xs = inputs();
    tf.dispose(layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[]); // builds the weights
    const before = tf.memory().numTensors;
    const y = layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
    const outputs = Array.isArray(y) ? y : [y];
    // A layer that propagates a mask hands it on as the output's `kerasMask` (one more tensor).
    const masks = outputs.map((o) => (o as unknown as { kerasMask?: tf.Tensor }).kerasMask).filter((k) => k != null) as tf.Tensor[];
    expect(tf.memory().numTensors - before).toBe(outputs.length + masks.length);
    tf.dispose(masks);
    const copy = cloneLayer(layer);
    copy.apply(xs.length === 1 ? xs[0] : xs); // builds
    copy.setWeights(layer.getWeights());
    const names = layer.weights.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    const y2 = copy.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
    const outputs2 = Array.isArray(y2) ? y2 : [y2];
    outputs.forEach((o, i) => expect(Array.from(outputs2[i].dataSync())).toEqual(Array.from(o.dataSync())));
    const computed = layer.computeOutputShape(xs.length === 1 ? xs[0].shape : xs.map((x) => x.shape));
    const shapes = (Array.isArray(y) ? computed : [computed]) as number[][];
    outputs.forEach((o, i) => expect(o.shape).toEqual(shapes[i]));
    tf.dispose([...xs, ...outputs, ...outputs2]);
  });
});

describe('MetadataAttentionPooling', () => {
  it('weights sum to 1 over the real steps and are exactly 0 on padded steps', () => {
    const layer = new MetadataAttentionPooling({ heads: 3, keyDim: 4, seed: 7 });
    const m = mask();
    const [, weights] = layer.apply([tf.randomNormal([3, 5, 6], 0, 3, 'float32', 1), tf.randomNormal([3, 2], 0, 3, 'float32', 2), m]) as tf.Tensor[];
    expect(weights.shape).toEqual([3, 3, 5]);
    const w = weights.arraySync() as number[][][];
    const md = m.arraySync() as number[][];
    for (let b = 0; b < 3; b++) {
      for (let h = 0; h < 3; h++) {
        const sum = w[b][h].reduce((s, v) => s + v, 0);
        expect(sum).toBeCloseTo(1, 5);
        w[b][h].forEach((v, t) => (md[b][t] === 0 ? expect(v).toBe(0) : expect(v).toBeGreaterThan(0)));
      }
    }
  });

  /** The layer's maths written out step by step: keys and values at every step. */
  function attentionReference(x: tf.Tensor, meta: tf.Tensor, m: tf.Tensor, w: Record<string, tf.Tensor>, h: number, k: number): tf.Tensor[] {
    const [b, t, f] = x.shape as [number, number, number];
    const flat = tf.reshape(x, [b * t, f]);
    const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, h, k]), [0, 2, 1, 3]); // [B,h,T,k]
    const keys = split(tf.add(tf.matMul(flat, w['key_kernel'] as tf.Tensor2D), w['key_bias']!));
    const values = split(tf.add(tf.matMul(flat, w['value_kernel'] as tf.Tensor2D), w['value_bias']!));
    const query = tf.add(tf.matMul(meta as tf.Tensor2D, w['query_kernel'] as tf.Tensor2D), w['query_bias']!);
    const scores = tf.div(tf.reshape(tf.matMul(tf.reshape(query, [b, h, 1, k]), keys, false, true), [b, h, t]), Math.sqrt(k));
    const real = tf.reshape(m, [b, 1, t]);
    const weights = tf.mul(tf.softmax(tf.add(scores, tf.mul(tf.sub(1, real), -1e9)), -1), real);
    const context = tf.reshape(tf.matMul(tf.expandDims(weights, 2), values), [b, h * k]);
    return [tf.concat([context, query], 1), weights];
  }

  it.each(['cpu', 'wasm'] as const)('computes what keys and values at every step give, in value and in every gradient (%s)', async (backend) => {
    await initBackend({ backend });
    try {
      const h = 2, k = 3;
      const layer = new MetadataAttentionPooling({ heads: h, keyDim: k, seed: 3 });
      const x = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1);
      const meta = tf.randomNormal([3, 2], 0, 1, 'float32', 2);
      const m = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]); // a record without real steps too
      layer.apply([x, meta, m]);
      // non-zero biases, so their terms are checked as well
      layer.setWeights(layer.getWeights().map((wt, i) => tf.randomNormal(wt.shape, 0, 1, 'float32', 10 + i)));
      const names = layer.weights.map((wt) => wt.originalName.split('/').pop()!);
      const probe = [tf.randomNormal([3, 2 * h * k], 0, 1, 'float32', 30), tf.randomNormal([3, h, 5], 0, 1, 'float32', 31)];
      const loss = (outs: tf.Tensor[]) => tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, probe[i]!)))) as tf.Scalar;
      const vars = layer.trainableWeights.map((wt) => wt.read() as tf.Variable);
      const xVar = tf.variable(x);
      const metaVar = tf.variable(meta);
      const mine = tf.variableGrads(() => loss(layer.apply([xVar, metaVar, m]) as tf.Tensor[]), [...vars, xVar, metaVar]);
      const wByName = Object.fromEntries(names.map((n, i) => [n, vars[i]!]));
      const theirs = tf.variableGrads(() => loss(attentionReference(xVar, metaVar, m, wByName, h, k)), [...vars, xVar, metaVar]);
      expect(Math.abs(mine.value.dataSync()[0]! - theirs.value.dataSync()[0]!)).toBeLessThan(1e-4);
      for (const v of [...vars, xVar, metaVar]) expect(tf.max(tf.abs(tf.sub(mine.grads[v.name]!, theirs.grads[v.name]!))).dataSync()[0]).toBeLessThan(1e-4);
      const [summary, weights] = layer.apply([x, meta, m]) as tf.Tensor[];
      const [refSummary, refWeights] = attentionReference(x, meta, m, wByName, h, k);
      expect(tf.max(tf.abs(tf.sub(summary!, refSummary!))).dataSync()[0]).toBeLessThan(1e-5);
      expect(tf.max(tf.abs(tf.sub(weights!, refWeights!))).dataSync()[0]).toBeLessThan(1e-6);
    } finally {
      await initBackend({ backend: 'cpu' });
    }
  });

  it('the query comes from the metadata: other metadata, other weights', () => {
    const layer = new MetadataAttentionPooling({ heads: 1, keyDim: 4, seed: 7 });
    const steps = tf.randomNormal([1, 5, 6], 0, 3, 'float32', 1);
    const m = tf.ones([1, 5]);
    const a = (layer.apply([steps, tf.tensor2d([[3, -3]]), m]) as tf.Tensor[])[1].dataSync();
    const b = (layer.apply([steps, tf.tensor2d([[-3, 3]]), m]) as tf.Tensor[])[1].dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });
});

describe('MaskedPooling', () => {
  const x = () => tf.tensor3d([[[1], [2], [3], [100], [100]]]);
  const m = () => tf.tensor2d([[1, 1, 1, 0, 0]]);
  it('mean averages the real steps only', () => {
    expect(Array.from((new MaskedPooling({ mode: 'mean' }).apply([x(), m()]) as tf.Tensor).dataSync())).toEqual([2]);
  });
  it('last takes the last real step', () => {
    expect(Array.from((new MaskedPooling({ mode: 'last' }).apply([x(), m()]) as tf.Tensor).dataSync())).toEqual([3]);
  });
});

describe('Film', () => {
  it('starts as the identity', () => {
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 3);
    const y = new Film().apply([x, tf.randomNormal([4, 2], 0, 1, 'float32', 4)]) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
  });
});

describe('MultiHeadSelfAttention', () => {
  it('a padded step cannot change a real step', () => {
    const layer = new MultiHeadSelfAttention({ heads: 2, seed: 5 });
    const m = tf.tensor2d([[1, 1, 1, 0]]);
    const a = tf.randomNormal([1, 4, 4], 0, 1, 'float32', 1);
    const b = tf.concat([tf.slice(a, [0, 0, 0], [1, 3, 4]), tf.fill([1, 1, 4], 50)], 1);
    const ya = tf.slice(layer.apply([a, m]) as tf.Tensor, [0, 0, 0], [1, 3, 4]).dataSync();
    const yb = tf.slice(layer.apply([b, m]) as tf.Tensor, [0, 0, 0], [1, 3, 4]).dataSync();
    Array.from(ya).forEach((v, i) => expect(yb[i]).toBeCloseTo(v, 5));
  });
});
