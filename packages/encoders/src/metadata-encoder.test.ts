import fc from 'fast-check';
import type { DatasetSchema, SeriesRecord } from '@metaseries/core';
import { createRng, isMetaseriesError } from '@metaseries/core';
import { MetadataEncoder, inputName } from './metadata-encoder.js';
import { defaultEmbeddingSize } from './embedding-size.js';
import { MISSING_INDEX, UNKNOWN_INDEX } from './preprocessors/categorical-vocabulary.js';
import { hashTokens, tokenize } from './preprocessors/text-hashing.js';

const schema: DatasetSchema = {
  version: 1,
  channels: ['hr'],
  metadata: {
    ward: { kind: 'categorical' },
    age: { kind: 'numeric' },
    smoker: { kind: 'boolean' },
    tags: { kind: 'multiCategorical' },
    note: { kind: 'text' },
  },
  context: { mode: { kind: 'categorical', align: 'asof' }, load: { kind: 'numeric', align: 'asof' } },
  label: { name: 'y', task: 'binary' },
};

function record(id: string, metadata: SeriesRecord['metadata'], T = 3): SeriesRecord {
  return {
    id,
    values: [new Float32Array(T)],
    metadata,
    alignedContext: {
      values: { mode: ['a', 'b', null].slice(0, T), load: [1, null, 3].slice(0, T) },
      mask: { mode: Uint8Array.from([1, 1, 0].slice(0, T)), load: Uint8Array.from([1, 0, 1].slice(0, T)) },
    },
  };
}

const train = [
  record('r1', { ward: 'icu', age: 50, smoker: true, tags: 'x|y', note: 'Chest pain, severe!' }),
  record('r2', { ward: 'icu', age: 70, smoker: false, tags: ['y'], note: 'no pain' }),
  record('r3', { ward: 'er', age: null, smoker: null, tags: '', note: null }),
];

describe('defaultEmbeddingSize', () => {
  it('follows min(50, round(1.6 n^0.56))', () => {
    expect([2, 10, 100, 10000].map(defaultEmbeddingSize)).toEqual([2, 6, 21, 50]);
  });
});

describe('MetadataEncoder', () => {
  const enc = MetadataEncoder.fit(schema, train, { embedding: { ward: 3 } });

  it('maps unknown categories to the unknown bucket and missing ones to the missing bucket, never throwing', () => {
    const out = enc.transform([record('p1', { ward: 'never-seen', age: 60, smoker: 'yes', tags: 'z', note: 'zzz qqq' }), record('p2', { ward: null, age: 'NaN', smoker: undefined as never, tags: null, note: '' })]);
    expect(Array.from(out.meta_ward!.data)).toEqual([UNKNOWN_INDEX, MISSING_INDEX]);
    expect(out.meta_ward!.dtype).toBe('int32');
    const age = Array.from(out.meta_age!.data);
    expect(age[1]).toBe(0); // value of p1 is scaled (mean 60 -> 0), indicator 0
    expect(age.slice(2)).toEqual([0, 1]); // p2: missing -> 0 and indicator 1
    expect(Array.from(out.meta_smoker!.data)).toEqual([1, 0, 0, 1]);
    const tags = Array.from(out.meta_tags!.data);
    expect(tags[UNKNOWN_INDEX]).toBe(1); // p1's tag z is unknown
    expect(tags[4 + MISSING_INDEX]).toBe(1); // p2 has no tags
  });

  it('round-trips its JSON state with identical outputs', () => {
    const again = MetadataEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())), schema);
    const rs = [...train, record('p', { ward: 'x', age: 1e9, smoker: 'no', tags: 'x|z', note: 'pain' })];
    expect(again.transform(rs, { timeSteps: 4 })).toEqual(enc.transform(rs, { timeSteps: 4 }));
  });

  it('clips extreme values', () => {
    const out = enc.transform([record('p', { ward: 'icu', age: 1e12, smoker: true, tags: 'x', note: 'a' })]);
    expect(out.meta_age!.data[0]).toBe(5);
  });

  it('refuses a state fitted on another schema with ENCODER_STATE_MISMATCH', () => {
    const other: DatasetSchema = { ...schema, metadata: { ...schema.metadata, ward: { kind: 'numeric' } } };
    const err = (() => {
      try {
        MetadataEncoder.fromJSON(enc.toJSON(), other);
      } catch (e) {
        return e;
      }
    })();
    expect(isMetaseriesError(err, 'ENCODER_STATE_MISMATCH')).toBe(true);
    expect((err as { details: { field: string } }).details.field).toBe('ward');
  });

  it('encodes aligned context per step, padded to timeSteps, with its availability mask', () => {
    const out = enc.transform([train[0]!], { timeSteps: 5 });
    expect(out.ctx_mode!.shape).toEqual([1, 5, 4]); // missing, unknown, a, b
    const mode = Array.from(out.ctx_mode!.data);
    expect(mode.slice(0, 4)).toEqual([0, 0, 1, 0]); // 'a'
    expect(mode.slice(8, 12)).toEqual([1, 0, 0, 0]); // masked -> missing bucket
    expect(mode.slice(12)).toEqual(new Array(8).fill(0)); // padding
    const load = Array.from(out.ctx_load!.data);
    expect([load[1], load[3], load[5]]).toEqual([1, 0, 1]);
  });

  it('lays out inputs: series and mask first, one per field, with sizes for fusion', () => {
    const e = enc.encodedSchema({ channels: 1, timeSteps: 10, task: 'binary', outputs: 1 });
    expect(e.inputs.map((i) => i.name)).toEqual(['series', 'mask', 'meta_ward', 'meta_age', 'meta_smoker', 'meta_tags', 'meta_note', 'ctx_mode', 'ctx_load']);
    expect(e.fields.find((f) => f.name === 'ward')).toMatchObject({ width: 3, cardinality: 4 });
    expect(e.metadataWidth).toBe(e.fields.filter((f) => f.scope === 'static').reduce((a, f) => a + f.width, 0));
  });

  it('permutes one field across records and leaves the others', () => {
    const batch = enc.transform(train);
    const p = enc.permuteField(batch, 'age', createRng(3));
    expect(p.meta_ward).toBe(batch.meta_ward);
    expect(Array.from(p.meta_age!.data).sort()).toEqual(Array.from(batch.meta_age!.data).sort());
  });
});

describe('text hashing', () => {
  it('is case-insensitive, drops punctuation and hashes unigrams and bigrams', () => {
    expect(tokenize('Chest PAIN, severe!')).toEqual(['chest', 'pain', 'severe']);
    expect(hashTokens('Chest pain', { buckets: 1000 })).toEqual(hashTokens('chest... PAIN', { buckets: 1000 }));
    expect(hashTokens('a b c', { buckets: 64 })).toHaveLength(5);
  });
});

function errorOf(fn: () => unknown): { code?: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; details: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

describe('MetadataEncoder options and edge cases', () => {
  const tagSchema: DatasetSchema = {
    version: 1,
    channels: ['v'],
    metadata: { tags: { kind: 'multiCategorical', separator: ';' }, kind: { kind: 'categorical', embedding: 7 }, income: { kind: 'numeric' }, note: { kind: 'text' } },
    context: {},
    label: { name: 'y', task: 'binary' },
  };
  const rec = (id: string, metadata: SeriesRecord['metadata']): SeriesRecord => ({ id, values: [new Float32Array(2)], metadata });
  const train = [
    rec('a', { tags: 'x;y', kind: 'k1', income: 10, note: 'Loud noise' }),
    rec('b', { tags: ['y', 'z'], kind: 'k2', income: 1000, note: 'quiet' }),
    rec('c', { tags: 'y', kind: 'k1', income: 100, note: null }),
  ];

  it("splits tags on the schema's separator, accepts arrays, and averages (mean) or counts (sum) them", () => {
    const mean = MetadataEncoder.fit(tagSchema, train);
    const [y, x, z] = [2, 3, 4]; // y is the most frequent tag
    const row = Array.from(mean.transform([rec('p', { tags: 'x; y;never' })]).meta_tags!.data);
    expect(row[x]).toBeCloseTo(1 / 3, 6);
    expect(row[y]).toBeCloseTo(1 / 3, 6);
    expect(row[UNKNOWN_INDEX]).toBeCloseTo(1 / 3, 6);
    expect(row[z]).toBe(0);
    const sum = MetadataEncoder.fit(tagSchema, train, { fields: { tags: { pooling: 'sum' } } });
    expect(Array.from(sum.transform([rec('p', { tags: ['x', 'x'] })]).meta_tags!.data)[x]).toBe(2);
  });

  it('takes the embedding width from the options, then the schema, then the default rule', () => {
    const info = (o: Parameters<typeof MetadataEncoder.fit>[2]) => MetadataEncoder.fit(tagSchema, train, o).fieldInfo();
    expect(info({}).find((f) => f.name === 'kind')!.width).toBe(7);
    expect(info({ embedding: { kind: 2 } }).find((f) => f.name === 'kind')!.width).toBe(2);
    expect(info({}).find((f) => f.name === 'tags')!.width).toBe(defaultEmbeddingSize(5));
    expect(info({}).find((f) => f.name === 'note')!.width).toBe(defaultEmbeddingSize(256));
  });

  it('one-hot encodes tiny vocabularies when asked, with the missing and unknown buckets', () => {
    const enc = MetadataEncoder.fit(tagSchema, train, { oneHotMaxCategories: 2 });
    const out = enc.transform([rec('p', { kind: 'k2' }), rec('q', { kind: 'new' }), rec('r', { kind: null })]);
    expect(out.meta_kind).toMatchObject({ dtype: 'float32', shape: [3, 4] });
    expect(Array.from(out.meta_kind!.data)).toEqual([0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0]);
    expect(enc.fieldInfo().find((f) => f.name === 'kind')!.width).toBe(4);
    const forced = MetadataEncoder.fit(tagSchema, train, { oneHotMaxCategories: 2, fields: { kind: { oneHot: false } } });
    expect(forced.transform([rec('p', { kind: 'k2' })]).meta_kind!.dtype).toBe('int32');
  });

  it('applies per-field numeric settings over the package-wide ones', () => {
    const enc = MetadataEncoder.fit(tagSchema, train, { numeric: { missingIndicator: false }, fields: { income: { numeric: { scaling: 'none', log1p: true } } } });
    const out = enc.transform([rec('p', { income: 1e3 })]);
    expect(out.meta_income!.shape).toEqual([1, 1]);
    expect(out.meta_income!.data[0]).toBeCloseTo(5, 6); // log1p(1000) = 6.9 clipped to 5
  });

  it('encodes text with no known word and missing text as an empty (all-zero) bag, never throwing', () => {
    const enc = MetadataEncoder.fit(tagSchema, train, { text: { buckets: 32 } });
    const out = enc.transform([rec('p', { note: '!!!' }), rec('q', { note: null }), rec('r', { note: 'Völlig neues Wort 🙂' })]);
    const d = Array.from(out.meta_note!.data);
    expect(d.slice(0, 64).every((v) => v === 0)).toBe(true);
    expect(d.slice(64).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6); // a bag of 3 unigrams + 2 bigrams, averaged
  });

  it('learns vocabularies and scalers from the training records only', () => {
    const enc = MetadataEncoder.fit(tagSchema, train);
    const before = JSON.stringify(enc.toJSON());
    enc.transform([rec('t', { tags: 'w', kind: 'k9', income: 1e6, note: 'other' })]);
    expect(JSON.stringify(enc.toJSON())).toBe(before);
    expect((enc.toJSON().fields.find((f) => f.name === 'kind') as { vocabulary: { categories: string[] } }).vocabulary.categories).toEqual(['k1', 'k2']);
  });

  it('refuses options for a field the schema does not have with ENCODER_UNKNOWN_FIELD', () => {
    expect(errorOf(() => MetadataEncoder.fit(tagSchema, train, { embedding: { knd: 3 } }))).toMatchObject({ code: 'ENCODER_UNKNOWN_FIELD', details: { field: 'embedding.knd' } });
    expect(errorOf(() => MetadataEncoder.fit(tagSchema, train, { fields: { incom: {} } }))).toMatchObject({ code: 'ENCODER_UNKNOWN_FIELD', details: { field: 'fields.incom' } });
  });

  it('refuses two fields whose sanitised input names collide with ENCODER_NAME_COLLISION', () => {
    const s: DatasetSchema = { ...tagSchema, metadata: { 'ward-id': { kind: 'categorical' }, ward_id: { kind: 'numeric' } } };
    expect(errorOf(() => MetadataEncoder.fit(s, train))).toMatchObject({ code: 'ENCODER_NAME_COLLISION', details: { value: 'ward_id' } });
  });

  it('names inputs meta_<field> / ctx_<field> with anything but letters, digits and _ replaced', () => {
    expect(inputName('static', 'ward name')).toBe('meta_ward_name');
    expect(inputName('context', 'mode.v2')).toBe('ctx_mode_v2');
    expect(inputName('static', 'âge')).toBe('meta__ge');
  });

  it('reports a number field holding text with ENCODER_BAD_VALUE and the record id, at fit and at transform', () => {
    const bad = [...train, rec('d', { income: 'lots' })];
    expect(errorOf(() => MetadataEncoder.fit(tagSchema, bad))).toMatchObject({ code: 'ENCODER_BAD_VALUE', details: { recordId: 'd', field: 'income' } });
    const enc = MetadataEncoder.fit(tagSchema, train);
    expect(errorOf(() => enc.transform([rec('e', { income: 'lots' })]))).toMatchObject({ code: 'ENCODER_BAD_VALUE', details: { recordId: 'e', field: 'income' } });
  });

  it('treats a record without the field, or without metadata at all, as missing', () => {
    const enc = MetadataEncoder.fit(tagSchema, train);
    const out = enc.transform([rec('p', {}), { id: 'q', values: [new Float32Array(2)] } as unknown as SeriesRecord]);
    expect(Array.from(out.meta_kind!.data)).toEqual([MISSING_INDEX, MISSING_INDEX]);
    expect(Array.from(out.meta_income!.data)).toEqual([0, 1, 0, 1]);
  });

  it('refuses an array where one category is expected with ENCODER_BAD_VALUE and the record id', () => {
    expect(errorOf(() => MetadataEncoder.fit(tagSchema, [...train, rec('d', { kind: ['k1', 'k2'] })]))).toMatchObject({ code: 'ENCODER_BAD_VALUE', details: { recordId: 'd', field: 'kind' } });
    const enc = MetadataEncoder.fit(tagSchema, train);
    expect(errorOf(() => enc.transform([rec('e', { kind: ['k1'] })]))).toMatchObject({ code: 'ENCODER_BAD_VALUE', details: { recordId: 'e', field: 'kind' } });
  });

  it('refuses a record whose context is not aligned with ENCODER_CONTEXT_NOT_ALIGNED', () => {
    const enc = MetadataEncoder.fit(schema, train0());
    expect(errorOf(() => enc.transform([{ id: 'raw', values: [new Float32Array(2)], metadata: {} }]))).toMatchObject({ code: 'ENCODER_CONTEXT_NOT_ALIGNED', details: { recordId: 'raw' } });
  });

  it('lays context steps out like the data package batches series: pad at the end and keep the first steps by default, or as asked', () => {
    const enc = MetadataEncoder.fit(schema, train0());
    const load = (o: Parameters<MetadataEncoder['transform']>[1]) => Array.from(enc.transform([record('a', {}, 3)], o).ctx_load!.data);
    const three = enc.transform([record('a', {}, 3)], { timeSteps: 3 }).ctx_load!.data; // load 1, null, 3 with availability 1, 0, 1
    const [s0, s2] = [three[0]!, three[4]!];
    expect(Array.from(three)).toEqual([s0, 1, 0, 0, s2, 1]);
    expect(load({ timeSteps: 2 })).toEqual([s0, 1, 0, 0]);
    expect(load({ timeSteps: 2, truncate: 'start' })).toEqual([0, 0, s2, 1]); // the most recent steps
    expect(load({ timeSteps: 5 })).toEqual([s0, 1, 0, 0, s2, 1, 0, 0, 0, 0]);
    expect(load({ timeSteps: 5, pad: 'start' })).toEqual([0, 0, 0, 0, s0, 1, 0, 0, s2, 1]);
    expect(enc.transform([record('a', {}, 2), record('b', {}, 3)]).ctx_load!.shape).toEqual([2, 3, 2]);
  });

  it('refuses a state that is not an encoder state, or of another version, with ENCODER_STATE_INVALID', () => {
    expect(errorOf(() => MetadataEncoder.fromJSON({ format: 'x' } as never))).toMatchObject({ code: 'ENCODER_STATE_INVALID' });
    const state = { ...MetadataEncoder.fit(schema, train0()).toJSON(), version: 2 };
    expect(errorOf(() => MetadataEncoder.fromJSON(state as never))).toMatchObject({ code: 'ENCODER_STATE_INVALID', details: { field: 'version' } });
    const good = MetadataEncoder.fit(schema, train0()).toJSON();
    const damaged = JSON.parse(JSON.stringify(good));
    delete damaged.fields[0].vocabulary;
    expect(errorOf(() => MetadataEncoder.fromJSON(damaged))).toMatchObject({ code: 'ENCODER_STATE_INVALID', details: { field: 'fields[0] (ward)' } });
    const badScale = JSON.parse(JSON.stringify(good));
    badScale.fields[1].scaler.scale = 0;
    expect(errorOf(() => MetadataEncoder.fromJSON(badScale))).toMatchObject({ code: 'ENCODER_STATE_INVALID', details: { field: 'fields[1] (age)' } });
  });
});

describe('permuteField', () => {
  const many = Array.from({ length: 20 }, (_, i) => record(`r${i}`, { ward: `w${i % 4}`, age: i, smoker: i % 2 === 0, tags: 'x', note: 'n' }, 3));
  const enc = MetadataEncoder.fit(schema, many);
  const batch = enc.transform(many, { timeSteps: 3 });
  const rows = (t: { data: ArrayLike<number>; shape: number[] }) => {
    const w = t.data.length / t.shape[0]!;
    return Array.from({ length: t.shape[0]! }, (_, i) => Array.from(t.data).slice(i * w, (i + 1) * w).join(','));
  };

  it('moves whole rows of one field between records, reproducibly for a seed, and leaves the batch untouched', () => {
    const copy = JSON.stringify(Array.from(batch.meta_age!.data));
    const p = enc.permuteField(batch, 'age', createRng(7));
    expect(rows(p.meta_age!)).not.toEqual(rows(batch.meta_age!));
    expect([...rows(p.meta_age!)].sort()).toEqual([...rows(batch.meta_age!)].sort());
    expect(rows(enc.permuteField(batch, 'age', createRng(7)).meta_age!)).toEqual(rows(p.meta_age!));
    expect(JSON.stringify(Array.from(batch.meta_age!.data))).toBe(copy);
    for (const k of Object.keys(batch)) if (k !== 'meta_age') expect(p[k]).toBe(batch[k]);
  });

  it('permutes a context field as whole [T, K] rows and refuses an unknown field with ENCODER_UNKNOWN_FIELD', () => {
    const p = enc.permuteField(batch, 'load', createRng(1));
    expect(p.ctx_load!.shape).toEqual(batch.ctx_load!.shape);
    expect([...rows(p.ctx_load!)].sort()).toEqual([...rows(batch.ctx_load!)].sort());
    expect(() => enc.permuteField(batch, 'nope', createRng(1))).toThrow(expect.objectContaining({ code: 'ENCODER_UNKNOWN_FIELD' }));
  });
});

describe('MetadataEncoder properties', () => {
  const value = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 4 }));
  const scalar = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null));
  const meta = fc.record({ ward: scalar, smoker: value, tags: value, note: value });

  it('never throws on unseen categorical, boolean, multi-categorical or text values, and round-trips through JSON with identical outputs', () => {
    const enc = MetadataEncoder.fit(schema, train0());
    const again = MetadataEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())), schema);
    fc.assert(
      fc.property(fc.array(meta, { minLength: 1, maxLength: 5 }), (metas) => {
        const rs = metas.map((m, i) => record(`p${i}`, { ...(m as SeriesRecord['metadata']), age: 1 }));
        const a = enc.transform(rs, { timeSteps: 3 });
        expect(again.transform(rs, { timeSteps: 3 })).toEqual(a);
        const ward = Array.from(a.meta_ward!.data);
        return ward.every((i) => i >= 0 && i < 4) && Object.values(a).every((t) => Array.from(t.data).every(Number.isFinite));
      }),
      { numRuns: 200 },
    );
  });
});

function train0(): SeriesRecord[] {
  return [
    record('r1', { ward: 'icu', age: 50, smoker: true, tags: 'x|y', note: 'Chest pain, severe!' }),
    record('r2', { ward: 'icu', age: 70, smoker: false, tags: ['y'], note: 'no pain' }),
  ];
}
