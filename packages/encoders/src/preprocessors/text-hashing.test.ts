import fc from 'fast-check';
import { fnv1a, hashTokens, tokenize } from './text-hashing.js';

describe('fnv1a', () => {
  it('is the standard 32-bit FNV-1a of the UTF-8 bytes (published test vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('hashes any text exactly as a byte-wise FNV-1a of TextEncoder output', () => {
    const reference = (s: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      return h;
    };
    expect(fnv1a('überdruck 温度 🙂')).toBe(reference('überdruck 温度 🙂'));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => fnv1a(s) === reference(s)));
  });
});

describe('tokenize', () => {
  it('lower-cases, drops punctuation and symbols, keeps letters and digits of any script', () => {
    expect(tokenize('Chest PAIN, severe!!! (2x)')).toEqual(['chest', 'pain', 'severe', '2x']);
    expect(tokenize('Überdruck—Ventil; 温度 高')).toEqual(['überdruck', 'ventil', '温度', '高']);
    expect(tokenize('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']); // combining marks stay inside a word
    expect(tokenize('  ...  ')).toEqual([]);
  });
});

describe('hashTokens', () => {
  it('is case- and punctuation-insensitive and hashes unigrams then bigrams', () => {
    expect(hashTokens('Chest pain', { buckets: 1000 })).toEqual(hashTokens('chest... PAIN', { buckets: 1000 }));
    expect(hashTokens('a b c', { buckets: 1 << 30 })).toEqual(['a', 'b', 'c', 'a b', 'b c'].map((t) => fnv1a(t) % (1 << 30)));
    expect(hashTokens('a b c', { buckets: 64, bigrams: false })).toHaveLength(3);
    expect(hashTokens('', { buckets: 64 })).toEqual([]);
  });

  it('hashes a bigram exactly as fnv1a of its two tokens joined by a space, in any script', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), { maxLength: 6 }), (words) => {
        const text = words.join(' ');
        const tokens = tokenize(text);
        const naive = [...tokens, ...tokens.slice(1).map((t, i) => `${tokens[i]} ${t}`)].map((t) => fnv1a(t) % 1000003);
        expect(hashTokens(text, { buckets: 1000003 })).toEqual(naive);
      }),
    );
  });

  it('always lands inside [0, buckets)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 5000 }), (text, buckets) =>
        hashTokens(text, { buckets }).every((b) => Number.isInteger(b) && b >= 0 && b < buckets),
      ),
    );
  });
});
