import type { DatasetSchema, SeriesRecord } from '@metaseries/core';
import { createRng, isMetaseriesError } from '@metaseries/core';
import { MetadataEncoder } from './metadata-encoder.js';
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
