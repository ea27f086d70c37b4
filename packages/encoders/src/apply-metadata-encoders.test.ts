import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, createRng, type DatasetSchema, type SeriesRecord, type TensorDataMap } from '@metaseries/core';
import { MetadataEncoder } from './metadata-encoder.js';
import { applyMetadataEncoders } from './apply-metadata-encoders.js';
import type { EncodedSchema } from './encoded-schema.js';

const T = 6;
const schema: DatasetSchema = {
  version: 1,
  channels: ['v'],
  metadata: {
    ward: { kind: 'categorical' },
    'tag set': { kind: 'multiCategorical' },
    note: { kind: 'text' },
    age: { kind: 'numeric' },
    smoker: { kind: 'boolean' },
  },
  context: { mode: { kind: 'categorical', align: 'asof' }, load: { kind: 'numeric', align: 'asof' } },
  label: { name: 'y', task: 'binary' },
};

/** Label: does mode `b` occur in the series? Only the context says so. */
function records(n: number, seed: number): SeriesRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 3 + rng.int(T - 2);
    const hasB = rng.next() < 0.5;
    const at = rng.int(len);
    const mode = Array.from({ length: len }, (_, t) => (hasB && t === at ? 'b' : rng.next() < 0.5 ? 'a' : 'c'));
    return {
      id: `r${i}`,
      values: [new Float32Array(len)],
      metadata: { ward: `w${rng.int(3)}`, 'tag set': 'only', note: 'a note', age: rng.normal(), smoker: rng.next() < 0.5 },
      alignedContext: {
        values: { mode, load: mode.map(() => rng.normal()) },
        mask: { mode: new Uint8Array(len).fill(1), load: new Uint8Array(len).fill(1) },
      },
      label: hasB ? 'yes' : 'no',
    };
  });
}

function build(encoded: EncodedSchema, exclude: string[] = []): { model: tfl.LayersModel; metadata: tfl.SymbolicTensor | null; context: tfl.SymbolicTensor | null } {
  const inputs: Record<string, tfl.SymbolicTensor> = {};
  for (const s of encoded.inputs) {
    if (s.role === 'series' || s.role === 'mask' || (s.field && exclude.includes(s.field))) continue;
    inputs[s.name] = tfl.input({ shape: s.shape.map((d) => d ?? encoded.timeSteps) as number[], dtype: s.dtype, name: s.name });
  }
  const { metadata, context } = applyMetadataEncoders(encoded, inputs, { exclude, seed: 3 });
  const pooled = tfl.layers.globalAveragePooling1d({}).apply(context!) as tfl.SymbolicTensor;
  const joined = metadata ? (tfl.layers.concatenate().apply([metadata, pooled]) as tfl.SymbolicTensor) : pooled;
  const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(joined) as tfl.SymbolicTensor;
  return { model: tfl.model({ inputs: Object.values(inputs), outputs: out }), metadata, context };
}

const feed = (model: tfl.LayersModel, batch: TensorDataMap) => model.inputNames.map((n) => tf.tensor(batch[n]!.data, batch[n]!.shape, batch[n]!.dtype));

describe('applyMetadataEncoders', () => {
  const train = records(160, 1);
  const enc = MetadataEncoder.fit(schema, train);
  const encoded = enc.encodedSchema({ channels: 1, timeSteps: T, task: 'binary', outputs: 1 });

  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('builds one named layer per field and outputs [B, metadataWidth] and [B, T, contextWidth]', () => {
    const { model, metadata, context } = build(encoded);
    expect(metadata!.shape).toEqual([null, encoded.metadataWidth]);
    expect(context!.shape).toEqual([null, T, encoded.contextWidth]);
    const names = model.layers.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['embed_ward', 'bag_tag_set', 'bag_note', 'bag_mode']));
    // a one-tag vocabulary still gets its own embedding bag (its width equals its input width)
    const tags = encoded.fields.find((f) => f.name === 'tag set')!;
    expect(tags.cardinality).toBe(tags.width);
    expect(model.getLayer('bag_tag_set').getClassName()).toBe('MetaseriesBagEmbedding');
    model.dispose();
  });

  it('leaves excluded fields out: no input, no layer, narrower vectors, and a full batch still feeds it', async () => {
    const { model, metadata } = build(encoded, ['ward', 'note']);
    const narrower = encoded.fields.filter((f) => f.name === 'ward' || f.name === 'note').reduce((a, f) => a + f.width, 0);
    expect(metadata!.shape).toEqual([null, encoded.metadataWidth - narrower]);
    expect(model.inputNames).not.toContain('meta_ward');
    expect(model.layers.map((l) => l.name)).not.toContain('embed_ward');
    const batch = enc.transform(records(4, 9), { timeSteps: T }); // transform still emits every field
    expect(Object.keys(batch)).toContain('meta_ward');
    const xs = feed(model, batch);
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory(
        await new Promise<tf.io.ModelArtifacts>((resolve) => {
          void model.save(tf.io.withSaveHandler(async (a) => (resolve(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
        }),
      ),
    );
    expect(tf.tidy(() => (loaded.predict(xs) as tf.Tensor).arraySync())).toEqual(tf.tidy(() => (model.predict(xs) as tf.Tensor).arraySync()));
    tf.dispose(xs);
  });

  it('returns null vectors when every field of a scope is excluded', () => {
    const inputs: Record<string, tfl.SymbolicTensor> = {};
    const all = encoded.fields.map((f) => f.name);
    expect(applyMetadataEncoders(encoded, inputs, { exclude: all })).toEqual({ metadata: null, context: null });
  });

  it('says which input is missing with ENCODER_MISSING_INPUT', () => {
    expect(() => applyMetadataEncoders(encoded, {})).toThrow(expect.objectContaining({ code: 'ENCODER_MISSING_INPUT', details: expect.objectContaining({ value: 'meta_ward' }) }));
  });

  it('refuses an encoded schema whose input width disagrees with its field with ENCODER_SCHEMA_INVALID', () => {
    const bad: EncodedSchema = { ...encoded, fields: encoded.fields.map((f) => (f.name === 'age' ? { ...f, width: 5 } : f)) };
    const inputs = Object.fromEntries(encoded.inputs.filter((s) => s.role === 'metadata').map((s) => [s.name, tfl.input({ shape: s.shape as number[], dtype: s.dtype })]));
    expect(() => applyMetadataEncoders(bad, inputs, { exclude: ['mode', 'load'] })).toThrow(expect.objectContaining({ code: 'ENCODER_SCHEMA_INVALID' }));
  });

  it('saves and loads a model with every encoder layer with identical outputs and no tensor leak', async () => {
    const { model } = build(encoded);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const xs = feed(model, enc.transform(records(7, 5), { timeSteps: T }));
    const before = tf.memory().numTensors;
    const a = tf.tidy(() => (model.predict(xs) as tf.Tensor).arraySync());
    const b = tf.tidy(() => (loaded.predict(xs) as tf.Tensor).arraySync());
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toEqual(a);
    tf.dispose(xs);
  });

  it('learns from per-step context through the context embedding bag (cpu)', async () => {
    const { model } = build(encoded, ['ward', 'tag set', 'note', 'age', 'smoker']);
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const xs = feed(model, enc.transform(train, { timeSteps: T }));
    const y = tf.tensor2d(train.map((r) => [r.label === 'yes' ? 1 : 0]));
    const h = await model.fit(xs, y, { epochs: 25, batchSize: 32, verbose: 0, shuffle: false });
    const acc = (h.history.acc ?? h.history.accuracy) as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.8); // chance is about 0.5
    tf.dispose([...xs, y]);
  });
});
