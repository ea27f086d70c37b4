import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GRU_GATES_WASM_BASE64 } from './gru-gates-wasm.js';
import { LSTM_GATES_WASM_BASE64 } from './lstm-gates-wasm.js';
import { SMALL_MAT_MUL_WASM_BASE64 } from './small-mat-mul-wasm.js';

/**
 * The generated `*-wasm.ts` files hold exactly what their `.wat` sources assemble to (an edit of a
 * `.wat` without `node packages/core/scripts/build-wat.mjs` fails here), and each module compiles.
 */
describe.each([
  ['lstm-gates', LSTM_GATES_WASM_BASE64],
  ['small-mat-mul', SMALL_MAT_MUL_WASM_BASE64],
  ['gru-gates', GRU_GATES_WASM_BASE64],
])('%s.wat', (name, base64) => {
  it('assembles to the bytes in its generated module', async () => {
    const require = createRequire(`${process.cwd()}/package.json`);
    const wabt = await (require('wabt') as () => Promise<{ parseWat(file: string, text: string, features: object): { validate(): void; toBinary(o: object): { buffer: Uint8Array } } }>)();
    const text = readFileSync(new URL(`./${name}.wat`, `file://${process.cwd()}/src/ops/`), 'utf8');
    const mod = wabt.parseWat(`${name}.wat`, text, { simd: true, bulk_memory: true });
    mod.validate();
    expect(Buffer.from(mod.toBinary({}).buffer).toString('base64')).toBe(base64);
  });

  it('compiles', () => {
    expect(() => new WebAssembly.Module(Buffer.from(base64, 'base64'))).not.toThrow();
  });
});
