// Jest environment for tests that run onnxruntime-node: its native binding returns typed arrays
// of Node's own realm, which fail the `instanceof Float32Array` checks of a test's sandbox realm
// ("A float32 tensor's data must be type of function Float32Array()"). Sharing the typed-array
// constructors of the outer realm with the sandbox fixes that.
import { TestEnvironment } from 'jest-environment-node';

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

export default class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}
