import fc from 'fast-check';
import { isMetaseriesError } from '@metaseries/core';
import { fitVocabulary, VocabularyLookup, MISSING_INDEX, UNKNOWN_INDEX, FIRST_CATEGORY_INDEX, categoryKey } from './categorical-vocabulary.js';

describe('fitVocabulary', () => {
  it('orders categories by training frequency, ties by first appearance, and ignores missing values', () => {
    const v = fitVocabulary(['b', 'a', null, 'a', '', 'c', 'b', NaN, undefined, 'd']);
    expect(v.categories).toEqual(['b', 'a', 'c', 'd']);
    expect(v.counts).toEqual([2, 2, 1, 1]);
  });

  it('keeps categories seen at least minFrequency times and at most maxVocabulary of them', () => {
    const values = ['x', 'x', 'x', 'y', 'y', 'z'];
    expect(fitVocabulary(values, { minFrequency: 2 }).categories).toEqual(['x', 'y']);
    expect(fitVocabulary(values, { maxVocabulary: 1 }).categories).toEqual(['x']);
    expect(fitVocabulary(values, { minFrequency: 4 }).categories).toEqual([]);
  });

  it('counts every tag of an array value', () => {
    expect(fitVocabulary([['a', 'b'], ['b'], 'c']).categories).toEqual(['b', 'a', 'c']);
  });
});

describe('VocabularyLookup', () => {
  const lookup = new VocabularyLookup(fitVocabulary(['icu', 'er', 'icu', 'rare'], { minFrequency: 1, maxVocabulary: 2 }));

  it('maps 0 = missing, 1 = unknown, 2.. = categories in vocabulary order', () => {
    expect(lookup.size).toBe(4);
    expect(lookup.indexOf('icu')).toBe(FIRST_CATEGORY_INDEX);
    expect(lookup.indexOf('er')).toBe(FIRST_CATEGORY_INDEX + 1);
    expect(lookup.indexOf('rare')).toBe(UNKNOWN_INDEX); // cut by maxVocabulary
    expect(lookup.indexOf('never-seen')).toBe(UNKNOWN_INDEX);
    for (const missing of [null, undefined, '', NaN]) expect(lookup.indexOf(missing)).toBe(MISSING_INDEX);
  });

  it('gives numbers and their text the same index (a CSV and a JSON file agree)', () => {
    const l = new VocabularyLookup(fitVocabulary([3, 'x', true]));
    expect(l.indexOf('3')).toBe(l.indexOf(3));
    expect(l.indexOf('true')).toBe(l.indexOf(true));
  });

  it('never throws on a text, number or flag and stays inside [0, size)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)), (v) => {
        const i = lookup.indexOf(v);
        return Number.isInteger(i) && i >= 0 && i < lookup.size;
      }),
    );
  });

  it('refuses an object as a category with ENCODER_BAD_VALUE', () => {
    let err: unknown;
    try {
      categoryKey({ a: 1 });
    } catch (e) {
      err = e;
    }
    expect(isMetaseriesError(err, 'ENCODER_BAD_VALUE')).toBe(true);
  });
});
