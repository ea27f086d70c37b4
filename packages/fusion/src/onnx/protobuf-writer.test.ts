import { ProtobufWriter } from './protobuf-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtobufWriter', () => {
  it('writes varints as the protobuf encoding guide shows (150 → 96 01)', () => {
    expect(hex(new ProtobufWriter().int(1, 150).finish())).toBe('089601');
    expect(hex(new ProtobufWriter().int(2, 1).finish())).toBe('1001');
  });
  it('writes a negative int64 as ten bytes of two’s complement', () => {
    expect(hex(new ProtobufWriter().int(1, -1).finish())).toBe('08ffffffffffffffffff01');
  });
  it('writes floats little-endian, strings and nested messages length-delimited', () => {
    expect(hex(new ProtobufWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtobufWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtobufWriter().message(3, (w) => w.int(1, 150)).finish())).toBe('1a03089601');
  });
  it('grows past its first buffer', () => {
    const big = new Uint8Array(1000).fill(7);
    const out = new ProtobufWriter().bytes(1, big).finish();
    expect(out.length).toBe(1 + 2 + 1000);
    expect(out[3]).toBe(7);
  });
});
