import { LabelEncoder } from './label-encoder.js';

const again = (l: LabelEncoder) => LabelEncoder.fromJSON(JSON.parse(JSON.stringify(l.toJSON())));

describe('LabelEncoder', () => {
  it('binary: one 0/1 target, the positive class is classes[1], classes sorted naturally', () => {
    const l = LabelEncoder.fit({ name: 'y', task: 'binary' }, ['yes', 'no', 'yes', null]);
    expect(l.classes).toEqual(['no', 'yes']);
    expect(l.outputs).toBe(1);
    expect(Array.from(l.transform(['yes', 'no']).data)).toEqual([1, 0]);
    expect(again(l).decode([0.8])).toBe('yes');
    expect(l.probabilities([0.8])).toEqual([expect.closeTo(0.2, 9), 0.8]);
    expect(LabelEncoder.fit({ name: 'y', task: 'binary' }, [1, 0, 1]).classes).toEqual(['0', '1']);
  });

  it("multiclass: schema.classes fixes the order, and a fitted class list survives JSON", () => {
    const l = LabelEncoder.fit({ name: 'y', task: 'multiclass', classes: ['c10', 'c2', 'c1'] }, ['c1', 'c2']);
    expect(l.classes).toEqual(['c10', 'c2', 'c1']);
    expect(Array.from(again(l).transform(['c1', 'c10']).data)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(LabelEncoder.fit({ name: 'y', task: 'multiclass' }, ['c10', 'c2', 'c1']).classes).toEqual(['c1', 'c2', 'c10']);
  });

  it('multilabel: multi-hot from arrays or |-separated text; no label is all zeros', () => {
    const l = LabelEncoder.fit({ name: 'y', task: 'multilabel' }, [['a', 'b'], 'b|c', null]);
    expect(l.classes).toEqual(['a', 'b', 'c']);
    expect(Array.from(l.transform(['a|c', [], ['b']]).data)).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(again(l).decode([0.9, 0.1, 0.6])).toEqual(['a', 'c']);
  });

  it('regression: z-scales with the training mean and sd by default, or not at all', () => {
    const l = LabelEncoder.fit({ name: 'rul', task: 'regression' }, [10, 20, 30, null]);
    const y = l.transform([20, 30]).data;
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(10 / Math.sqrt(200 / 3), 6);
    expect(again(l).decode([y[1]!]) as number).toBeCloseTo(30, 4);
    const raw = LabelEncoder.fit({ name: 'rul', task: 'regression' }, [10, 20], { scaleRegression: false });
    expect(Array.from(raw.transform([15, '7']).data)).toEqual([15, 7]);
  });

  it('reports a label outside the classes (ENCODER_UNKNOWN_LABEL), a missing one (ENCODER_MISSING_LABEL) and a non-number target (ENCODER_BAD_LABEL) with the record id', () => {
    const l = LabelEncoder.fit({ name: 'y', task: 'multiclass', classes: ['a', 'b'] }, ['a', 'b', 'zzz']); // an unknown label at fit is fine
    expect(() => l.transform(['a', 'zzz'], ['r1', 'r2'])).toThrow(expect.objectContaining({ code: 'ENCODER_UNKNOWN_LABEL', details: expect.objectContaining({ recordId: 'r2', value: 'zzz' }) }));
    expect(() => l.transform([null], ['r3'])).toThrow(expect.objectContaining({ code: 'ENCODER_MISSING_LABEL', details: expect.objectContaining({ recordId: 'r3' }) }));
    const r = LabelEncoder.fit({ name: 'rul', task: 'regression' }, [1, 2]);
    for (const bad of [null, 'ten', '']) expect(() => r.transform([bad], ['r4'])).toThrow(expect.objectContaining({ code: 'ENCODER_BAD_LABEL' }));
  });

  it('refuses too few classes (ENCODER_BAD_LABELS) and a state for another label (ENCODER_STATE_MISMATCH)', () => {
    expect(() => LabelEncoder.fit({ name: 'y', task: 'binary' }, ['a', 'a'])).toThrow(expect.objectContaining({ code: 'ENCODER_BAD_LABELS' }));
    expect(() => LabelEncoder.fit({ name: 'y', task: 'multiclass' }, ['a'])).toThrow(expect.objectContaining({ code: 'ENCODER_BAD_LABELS' }));
    const state = LabelEncoder.fit({ name: 'y', task: 'multiclass' }, ['a', 'b']).toJSON();
    expect(() => LabelEncoder.fromJSON(state, { name: 'y', task: 'binary' })).toThrow(expect.objectContaining({ code: 'ENCODER_STATE_MISMATCH' }));
    expect(() => LabelEncoder.fromJSON(state, { name: 'y', task: 'multiclass', classes: ['b', 'a'] })).toThrow(expect.objectContaining({ code: 'ENCODER_STATE_MISMATCH' }));
    expect(LabelEncoder.fromJSON(state, { name: 'y', task: 'multiclass' }).classes).toEqual(['a', 'b']);
    expect(() => LabelEncoder.fromJSON({ format: 'nope' } as never)).toThrow(expect.objectContaining({ code: 'ENCODER_STATE_INVALID' }));
  });
});
