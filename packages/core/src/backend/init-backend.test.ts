import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, backendInfo, currentBackend } from './init-backend.js';
import { isMetaseriesError, type MetaseriesError } from '../errors.js';
import { createRng } from '../random.js';

describe('initBackend', () => {
  const saved = process.env.METASERIES_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.METASERIES_BACKEND;
    else process.env.METASERIES_BACKEND = saved;
  });

  it('picks wasm when tfjs-node is not installed, and registers the kernels wasm lacks', async () => {
    delete process.env.METASERIES_BACKEND;
    expect(await initBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(backendInfo()!.kernels.added.sort()).toEqual(['Conv2DBackpropFilter', 'UnsortedSegmentSum']);
    expect(backendInfo()!.kernels.replaced).toEqual(['BatchMatMul', 'Conv2DBackpropInput', 'Tile', 'Slice', 'Identity', 'Sum', 'Mean']);
  });

  it('honours METASERIES_BACKEND', async () => {
    process.env.METASERIES_BACKEND = 'cpu';
    expect(await initBackend()).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown METASERIES_BACKEND with BACKEND_UNKNOWN naming the variable and value', async () => {
    process.env.METASERIES_BACKEND = 'webgpu';
    const err = await initBackend().catch((e: unknown) => e);
    expect(isMetaseriesError(err, 'BACKEND_UNKNOWN')).toBe(true);
    expect((err as Error & { format(): string }).format()).toContain('field METASERIES_BACKEND: saw "webgpu"');
  });

  it('says BACKEND_UNAVAILABLE when the named backend is not installed, with the import error as cause', async () => {
    process.env.METASERIES_BACKEND = 'tensorflow';
    const err = await initBackend().catch((e: unknown) => e);
    expect(isMetaseriesError(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/tfjs-node/);
    expect((err as MetaseriesError).details).toMatchObject({ field: 'METASERIES_BACKEND', value: 'tensorflow' });
    expect(((err as Error).cause as Error).message).toMatch(/@tensorflow\/tfjs-node/);
    // `node` is an alias of `tensorflow`, and names are case-insensitive
    process.env.METASERIES_BACKEND = 'Node';
    expect(isMetaseriesError(await initBackend().catch((e: unknown) => e), 'BACKEND_UNAVAILABLE')).toBe(true);
    // the failed attempt left the previous backend working
    expect(tf.getBackend()).toBe(currentBackend());
  });

  it('rejects an unknown backend option with BACKEND_UNKNOWN', async () => {
    delete process.env.METASERIES_BACKEND;
    const err = await initBackend({ backend: 'webgl' as never }).catch((e: unknown) => e);
    expect(isMetaseriesError(err, 'BACKEND_UNKNOWN')).toBe(true);
    expect((err as MetaseriesError).details).toMatchObject({ field: 'backend', value: 'webgl' });
  });

  it('lets the backend option win over METASERIES_BACKEND, is idempotent, and reports the backend', async () => {
    process.env.METASERIES_BACKEND = 'cpu';
    expect(await initBackend({ backend: 'wasm' })).toBe('wasm');
    expect(currentBackend()).toBe('wasm');
    const kernels = backendInfo()!.kernels;
    expect(await initBackend({ backend: 'wasm' })).toBe('wasm');
    expect(backendInfo()!.kernels).toBe(kernels);
    process.env.METASERIES_BACKEND = 'WASM';
    expect(await initBackend()).toBe('wasm');
  });
});

describe('training on wasm', () => {
  it('trains an Embedding + Conv1D + LSTM model to well above chance', async () => {
    await initBackend({ backend: 'wasm' });
    // Class = (category + sign of the series' mean) mod 3: needs the embedding AND the series.
    const rng = createRng(7);
    const n = 192;
    const T = 12;
    const cats = new Int32Array(n);
    const series = new Float32Array(n * T);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      cats[i] = rng.int(3);
      const up = rng.next() < 0.5 ? 1 : 0;
      for (let t = 0; t < T; t++) series[i * T + t] = (up ? 1 : -1) * 0.8 + rng.normal() * 0.3;
      labels[i] = (cats[i]! + up) % 3;
    }
    const seriesIn = tfl.input({ shape: [T, 1] });
    const catIn = tfl.input({ shape: [1], dtype: 'int32' });
    const conv = tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(seriesIn) as tfl.SymbolicTensor;
    const lstm = tfl.layers.lstm({ units: 8, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }), recurrentInitializer: tfl.initializers.orthogonal({ seed: 3 }) }).apply(conv) as tfl.SymbolicTensor;
    const emb = tfl.layers.flatten().apply(tfl.layers.embedding({ inputDim: 3, outputDim: 3, embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 4 }) }).apply(catIn)) as tfl.SymbolicTensor;
    const hidden = tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }).apply(tfl.layers.concatenate().apply([lstm, emb])) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }) }).apply(hidden) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [seriesIn, catIn], outputs: out });
    model.compile({ optimizer: tf.train.adam(0.03), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const xs = [tf.tensor3d(series, [n, T, 1]), tf.tensor2d(cats, [n, 1], 'int32')];
    const ys = tf.tensor1d(labels, 'float32');
    const h = await model.fit(xs, ys, { epochs: 30, batchSize: 32, verbose: 0, shuffle: false });
    const losses = h.history.loss as number[];
    const acc = h.history.acc ?? h.history.accuracy;
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    expect((acc as number[])[acc!.length - 1]!).toBeGreaterThan(0.8); // chance is 1/3
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      model.predict(xs);
    });
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks across a predict
  });
});
