import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, createRng, type DatasetSchema, type SeriesRecord } from '@metaseries/core';
import { MetadataEncoder } from './metadata-encoder.js';
import { applyMetadataEncoders } from './apply-metadata-encoders.js';
import { LabelEncoder } from './label-encoder.js';

const schema: DatasetSchema = {
  version: 1,
  channels: ['v'],
  metadata: { machine: { kind: 'categorical' }, tags: { kind: 'multiCategorical' }, note: { kind: 'text' }, load: { kind: 'numeric' } },
  context: {},
  label: { name: 'y', task: 'multiclass' },
};

/** Label = machine type (needs the categorical embedding) — a model without metadata is at chance. */
function data(n: number, seed: number): SeriesRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const m = rng.int(3);
    return {
      id: `r${i}`,
      values: [new Float32Array(4)],
      metadata: { machine: `m${m}`, tags: rng.next() < 0.5 ? 'a|b' : 'c', note: m === 0 ? 'loud noise' : 'quiet', load: rng.normal() },
      label: `c${m}`,
    };
  });
}

function buildModel(enc: MetadataEncoder): tfl.LayersModel {
  const encoded = enc.encodedSchema({ channels: 1, timeSteps: 4, task: 'multiclass', outputs: 3 });
  const inputs: Record<string, tfl.SymbolicTensor> = {};
  const list = encoded.inputs
    .filter((s) => s.role === 'metadata')
    .map((s) => (inputs[s.name] = tfl.input({ shape: s.shape as number[], dtype: s.dtype, name: s.name })));
  const { metadata } = applyMetadataEncoders(encoded, inputs, { seed: 1 });
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(metadata!) as tfl.SymbolicTensor;
  return tfl.model({ inputs: list, outputs: out });
}

describe.each(['cpu', 'wasm'] as const)('encoder layers on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('train (Embedding and bag embeddings) to a learned result', async () => {
    const train = data(120, 1);
    const enc = MetadataEncoder.fit(schema, train);
    const labels = LabelEncoder.fit(schema.label, train.map((r) => r.label!));
    const model = buildModel(enc);
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const batch = enc.transform(train);
    const xs = model.inputNames.map((n) => tf.tensor(batch[n]!.data, batch[n]!.shape, batch[n]!.dtype));
    const y = labels.transform(train.map((r) => r.label!));
    const h = await model.fit(xs, tf.tensor(y.data, y.shape), { epochs: 12, batchSize: 40, verbose: 0, shuffle: false });
    const acc = (h.history.acc ?? h.history.accuracy) as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.9); // chance is 1/3
  });

  it('save and load with identical outputs, and leak no tensor across predict', async () => {
    const train = data(20, 2);
    const enc = MetadataEncoder.fit(schema, train);
    const model = buildModel(enc);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const batch = enc.transform(data(5, 3));
    const xs = model.inputNames.map((n) => tf.tensor(batch[n]!.data, batch[n]!.shape, batch[n]!.dtype));
    const before = tf.memory().numTensors;
    const a = tf.tidy(() => (model.predict(xs) as tf.Tensor).arraySync());
    const b = tf.tidy(() => (loaded.predict(xs) as tf.Tensor).arraySync());
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toEqual(a);
  });
});

describe('LabelEncoder', () => {
  it('round-trips classes and decodes', () => {
    const l = LabelEncoder.fit({ name: 'y', task: 'multiclass' }, ['b', 'a', 'c', 'a']);
    expect(l.classes).toEqual(['a', 'b', 'c']);
    const y = l.transform(['c']);
    expect(Array.from(y.data)).toEqual([0, 0, 1]);
    expect(LabelEncoder.fromJSON(JSON.parse(JSON.stringify(l.toJSON()))).decode([0.1, 0.7, 0.2])).toBe('b');
    expect(() => l.transform(['zzz'])).toThrow(/not one of the classes/);
    const r = LabelEncoder.fit({ name: 'rul', task: 'regression' }, [10, 20, 30]);
    expect(r.decode([r.transform([25]).data[0]!])).toBeCloseTo(25, 5);
  });
});
