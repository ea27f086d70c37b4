import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GRU_GATES_WASM_BASE64 } from './gru-gates-wasm.js';
import { LSTM_GATES_WASM_BASE64 } from './lstm-gates-wasm.js';
import { SMALL_MAT_MUL_WASM_BASE64 } from './small-mat-mul-wasm.js';

interface Wabt {
  parseWat(file: string, text: string, features: object): { validate(): void; toBinary(o: object): { buffer: Uint8Array } };
}
const features = { simd: true, bulk_memory: true };

async function wabt(): Promise<Wabt> {
  const require = createRequire(`${process.cwd()}/package.json`);
  return (require('wabt') as () => Promise<Wabt>)();
}

/** scripts/inline-wat.mjs, which build-wat.mjs runs on every module before assembling it. */
async function inlineWat(): Promise<(src: string) => string> {
  const mod = (await import(`${process.cwd()}/scripts/inline-wat.mjs`)) as { inlineWat: (src: string) => string };
  return mod.inlineWat;
}

const watSource = (name: string) => readFileSync(new URL(`./${name}.wat`, `file://${process.cwd()}/src/ops/`), 'utf8');

async function assemble(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const mod = (await wabt()).parseWat('module.wat', text, features);
  mod.validate();
  return new Uint8Array(mod.toBinary({}).buffer); // (a copy on its own ArrayBuffer: a BufferSource)
}

/**
 * The generated `*-wasm.ts` files hold exactly what their `.wat` sources assemble to, helpers
 * inlined (an edit of a `.wat` without `node packages/core/scripts/build-wat.mjs` fails here),
 * and each module compiles.
 */
describe.each([
  ['lstm-gates', LSTM_GATES_WASM_BASE64],
  ['small-mat-mul', SMALL_MAT_MUL_WASM_BASE64],
  ['gru-gates', GRU_GATES_WASM_BASE64],
])('%s.wat', (name, base64) => {
  it('assembles to the bytes in its generated module', async () => {
    const bytes = await assemble((await inlineWat())(watSource(name)));
    expect(Buffer.from(bytes).toString('base64')).toBe(base64);
  });

  it('compiles', () => {
    expect(() => new WebAssembly.Module(Buffer.from(base64, 'base64'))).not.toThrow();
  });
});

describe('inline-wat', () => {
  /** Instances of the module as written and as inlined, over one shared memory. */
  async function both(text: string, pages = 1) {
    const memory = new WebAssembly.Memory({ initial: pages });
    const make = async (t: string) => (await WebAssembly.instantiate(await assemble(t), { env: { memory } })).instance.exports as Record<string, (...a: number[]) => number>;
    return { memory, plain: await make(text), inlined: await make((await inlineWat())(text)) };
  }

  it('keeps every bit of the LSTM gate steps (forward and backward) the same as the calls it replaces', async () => {
    const [B, T, U] = [3, 5, 8];
    const G = 4 * U;
    const { memory, plain, inlined } = await both(watSource('lstm-gates'), 4);
    const f32 = new Float32Array(memory.buffer);
    let next = 0;
    const alloc = (n: number) => ((next += n * 4), next - n * 4);
    const xw = alloc(B * T * G), hr = alloc(B * G), bias = alloc(B * G), dy = alloc(B * T * U), mask = alloc(B * T);
    const inputsEnd = next / 4;
    // state each variant writes: c, h, seq, cells, gates, dh, dc, ds, dz
    const stateSizes = [B * U, B * U, B * T * U, B * T * U, B * T * G, B * U, B * U, B * G, B * T * G];
    const run = (k: Record<string, (...a: number[]) => number>) => {
      const start = next;
      const [c, h, seq, cells, gates, dh, dc, ds, dz] = stateSizes.map(alloc) as number[];
      for (let t = 0; t < T; t++) k.forwardStep!(xw, hr, bias, c!, h!, seq!, cells!, gates!, mask, B, T, U, t, 4 * G);
      for (let t = T - 1; t >= 0; t--) k.backwardStep!(dy, mask, cells!, gates!, dh!, dc!, ds!, dz!, B, T, U, t);
      return new Uint32Array(memory.buffer.slice(start, next));
    };
    // values spanning tanh's clamp (|x| > 7.9), one masked step
    for (let i = 0; i < inputsEnd; i++) f32[i] = 9 * Math.sin(1.7 * i);
    for (let i = 0; i < B * T; i++) f32[mask / 4 + i] = i === 7 ? 0 : 1;
    const a = run(plain);
    const b = run(inlined);
    expect(a.some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('evaluates all arguments before storing any, so a helper call nested in an argument keeps the outer call intact', async () => {
    const text = `(module (import "env" "memory" (memory 1))
      (func $sub (param $a f32) (param $b f32) (result f32) (local $d f32)
        (local.set $d (f32.sub (local.get $a) (local.get $b))) (local.get $d))
      (func (export "f") (param $x f32) (param $y f32) (result f32)
        (call $sub (local.get $x) (call $sub (local.get $y) (call $sub (local.get $x) (local.get $y))))))`;
    const { plain, inlined } = await both(text);
    // x - (y - (x - y)) = 2x - 2y
    expect(plain.f!(5, 2)).toBe(6);
    expect(inlined.f!(5, 2)).toBe(6);
    expect((await inlineWat())(text)).not.toContain('call');
  });
});
