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
