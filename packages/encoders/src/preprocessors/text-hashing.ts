/** Options of text hashing. */
export interface TextHashingOptions {
  /** Number of hash buckets. Default: `256`. */
  buckets?: number;
  /** Also hash adjacent word pairs. Default: `true`. */
  bigrams?: boolean;
}

export const defaultTextHashingOptions: Required<TextHashingOptions> = { buckets: 256, bigrams: true };

/**
 * Lower-cases, drops punctuation (anything not a letter or digit in any script) and splits on
 * what remains between words.
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/** 32-bit FNV-1a of a string's UTF-16 code units: fixed, documented, the same everywhere. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Bucket indices of a text's unigrams (and bigrams, joined by a space). */
export function hashTokens(text: string, options: TextHashingOptions = {}): number[] {
  const o = { ...defaultTextHashingOptions, ...options };
  const tokens = tokenize(text);
  const out = tokens.map((t) => fnv1a(t) % o.buckets);
  if (o.bigrams) for (let i = 1; i < tokens.length; i++) out.push(fnv1a(`${tokens[i - 1]} ${tokens[i]}`) % o.buckets);
  return out;
}
