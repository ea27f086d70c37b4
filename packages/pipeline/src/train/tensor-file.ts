import * as tf from '@tensorflow/tfjs-core';
import { MetaseriesError } from '@metaseries/core';

/** Name, shape and dtype of one tensor in a {@link encodeTensors} file. */
export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Packs tensors into one binary blob (little-endian float32/int32, in order) and its specs. */
export function encodeTensors(tensors: Array<{ name: string; tensor: tf.Tensor }>): { specs: TensorSpec[]; bytes: Uint8Array } {
  const specs: TensorSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const { name, tensor } of tensors) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const data = dtype === 'int32' ? Int32Array.from(tensor.dataSync() as Int32Array) : Float32Array.from(tensor.dataSync() as Float32Array);
    specs.push({ name, shape: tensor.shape.slice(), dtype });
    parts.push(new Uint8Array(data.buffer));
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.byteLength;
  }
  return { specs, bytes };
}

/** Unpacks what {@link encodeTensors} wrote. The caller owns (disposes) the tensors. */
export function decodeTensors(specs: TensorSpec[], bytes: Uint8Array, file = 'tensors'): Array<{ name: string; tensor: tf.Tensor }> {
  const copy = new Uint8Array(bytes);
  let off = 0;
  return specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (off + size * 4 > copy.byteLength) {
      throw new MetaseriesError('BUNDLE_TRUNCATED', `${file} is shorter than its tensor list says`, { file, field: s.name });
    }
    const data = s.dtype === 'int32' ? new Int32Array(copy.buffer, off, size) : new Float32Array(copy.buffer, off, size);
    off += size * 4;
    return { name: s.name, tensor: tf.tensor(data, s.shape, s.dtype) };
  });
}
