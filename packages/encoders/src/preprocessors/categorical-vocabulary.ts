import { MetaseriesError } from '@metaseries/core';

/** Index of a missing value (`null`, `undefined`, `''`, `NaN`). */
export const MISSING_INDEX = 0;
/** Index of a value that training never saw (or that fell under `minFrequency`/`maxVocabulary`). */
export const UNKNOWN_INDEX = 1;
/** First index of a learned category. */
export const FIRST_CATEGORY_INDEX = 2;

/** Options of {@link fitVocabulary}. */
export interface VocabularyOptions {
  /** Fewest occurrences in the training data for a category to get its own index. Default: `1`. */
  minFrequency?: number;
  /** Most categories kept (the most frequent; ties broken by first appearance). Default: `Infinity`. */
  maxVocabulary?: number;
}

/** Defaults of {@link VocabularyOptions}. */
export const defaultVocabularyOptions: Required<VocabularyOptions> = { minFrequency: 1, maxVocabulary: Infinity };

/** A fitted vocabulary: plain JSON. Index 0 = missing, 1 = unknown, 2.. = `categories` in order. */
export interface VocabularyState {
  categories: string[];
  /** Training counts of `categories`, same order. */
  counts: number[];
}

/**
 * The text key of a categorical value, or `undefined` when it is missing. Numbers and flags key
 * as their text (`3` and `'3'` are one category). Throws `ENCODER_BAD_VALUE` for anything else
 * (an object or an array where one category is expected).
 */
export function categoryKey(value: unknown, field?: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value === '' ? undefined : value;
  throw new MetaseriesError('ENCODER_BAD_VALUE', 'a categorical value must be text, a number or a flag', {
    field,
    value: Array.isArray(value) ? `[${value.join(', ')}]` : value,
    expected: 'string | number | boolean | null',
  });
}

/** Fits a vocabulary on training values (each a category, or an array of tags). */
export function fitVocabulary(values: Iterable<unknown>, options: VocabularyOptions = {}, field?: string): VocabularyState {
  const o = { ...defaultVocabularyOptions, ...options };
  const counts = new Map<string, number>();
  for (const v of values) {
    for (const item of Array.isArray(v) ? v : [v]) {
      const key = categoryKey(item, field);
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const entries = [...counts.entries()].filter(([, c]) => c >= o.minFrequency);
  // stable sort keeps first appearance among equal counts
  entries.sort((a, b) => b[1] - a[1]);
  const kept = entries.slice(0, Number.isFinite(o.maxVocabulary) ? o.maxVocabulary : entries.length);
  return { categories: kept.map(([k]) => k), counts: kept.map(([, c]) => c) };
}

/** Maps values to indices with a fitted vocabulary; unseen values go to {@link UNKNOWN_INDEX}. */
export class VocabularyLookup {
  private readonly index = new Map<string, number>();
  /** Number of indices, the missing and unknown buckets included. */
  readonly size: number;

  constructor(readonly state: VocabularyState) {
    state.categories.forEach((c, i) => this.index.set(c, i + FIRST_CATEGORY_INDEX));
    this.size = state.categories.length + FIRST_CATEGORY_INDEX;
  }

  /** Index of a value: {@link MISSING_INDEX}, {@link UNKNOWN_INDEX} or its category's index. */
  indexOf(value: unknown, field?: string): number {
    const key = categoryKey(value, field);
    if (key === undefined) return MISSING_INDEX;
    return this.index.get(key) ?? UNKNOWN_INDEX;
  }
}
