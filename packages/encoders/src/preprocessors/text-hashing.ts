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
  return fnv1aUpdate(FNV_OFFSET, s) >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Continues an FNV-1a state `h` over the UTF-8 bytes of `s` (the state is not yet made unsigned). */
function fnv1aUpdate(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
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
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h;
}

/**
 * Bucket indices of a text's unigrams and (optionally) bigrams: `fnv1a(token) % buckets`, a
 * bigram hashed as its two tokens joined by one space (`fnv1a('a b')`). Unigrams come first, in
 * text order.
 */
export function hashTokens(text: string, options: TextHashingOptions = {}): number[] {
  const buckets = options.buckets ?? defaultTextHashingOptions.buckets;
  const bigrams = options.bigrams ?? defaultTextHashingOptions.bigrams;
  const tokens = tokenize(text);
  const n = tokens.length;
  const states = new Array<number>(n);
  const out = new Array<number>(bigrams && n > 1 ? 2 * n - 1 : n);
  for (let i = 0; i < n; i++) {
    states[i] = fnv1aUpdate(FNV_OFFSET, tokens[i]!);
    out[i] = (states[i]! >>> 0) % buckets;
  }
  // a bigram continues its first token's state over ' ' and the second token: no string is built
  if (bigrams) for (let i = 1; i < n; i++) out[n + i - 1] = (fnv1aUpdate(Math.imul(states[i - 1]! ^ 0x20, FNV_PRIME), tokens[i]!) >>> 0) % buckets;
  return out;
}
