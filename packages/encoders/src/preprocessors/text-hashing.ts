/** Options of text hashing. */
export interface TextHashingOptions {
  /** Number of hash buckets. Default: `256`. */
  buckets?: number;
  /** Also hash adjacent word pairs. Default: `true`. */
  bigrams?: boolean;
}

/** Defaults of {@link TextHashingOptions}. */
export const defaultTextHashingOptions: Required<TextHashingOptions> = { buckets: 256, bigrams: true };

/**
 * Lower-cases, applies Unicode NFKC, drops punctuation and symbols (anything not a letter, a
 * combining mark or a digit, in any script) and splits on what remains between words.
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/**
 * 32-bit FNV-1a (offset basis `0x811c9dc5`, prime `0x01000193`) of a string's UTF-8 bytes: the
 * standard function, so `fnv1a('foobar') === 0xbf9cf968` here and in any other language that
 * hashes the UTF-8 encoding.
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  const byte = (b: number) => {
    h = Math.imul(h ^ b, 0x01000193);
  };
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 0x3f));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 0x3f));
      byte(0x80 | ((c >> 6) & 0x3f));
    }
    byte(0x80 | (c & 0x3f));
  }
  return h >>> 0;
}

/**
 * Bucket indices of a text's unigrams and (optionally) bigrams: `fnv1a(token) % buckets`, a
 * bigram hashed as its two tokens joined by one space. Unigrams come first, in text order.
 */
export function hashTokens(text: string, options: TextHashingOptions = {}): number[] {
  const o = { ...defaultTextHashingOptions, ...options };
  const tokens = tokenize(text);
  const out = tokens.map((t) => fnv1a(t) % o.buckets);
  if (o.bigrams) for (let i = 1; i < tokens.length; i++) out.push(fnv1a(`${tokens[i - 1]} ${tokens[i]}`) % o.buckets);
  return out;
}
