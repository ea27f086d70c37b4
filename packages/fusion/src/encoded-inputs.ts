import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import type { EncodedInputSpec, EncodedSchema } from '@metaseries/encoders';
import type { SeedSequence } from './seed-sequence.js';
import { applyLayer } from './series-encoders/series-encoder.js';

/** The symbolic pieces a fusion strategy works with. */
export interface EncodedInputs {
  /** Every model input, in model order (excluded fields left out). */
  inputs: tfl.SymbolicTensor[];
  /** `[B,T,C]` series values. */
  series: tfl.SymbolicTensor;
  /** `[B,T]` 1 for real steps, 0 for padding. */
  mask: tfl.SymbolicTensor;
  /** `[B,D]` static metadata vector, or null when the schema (after exclusions) has none. */
  metadata: tfl.SymbolicTensor | null;
  /** `[B,T,K]` per-step context vector, or null. */
  context: tfl.SymbolicTensor | null;
}

function concatLast(parts: tfl.SymbolicTensor[]): tfl.SymbolicTensor | null {
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : applyLayer(tfl.layers.concatenate({ axis: -1 }), parts);
}

function encodeOne(spec: EncodedInputSpec, input: tfl.SymbolicTensor, encoded: EncodedSchema, seeds: SeedSequence): tfl.SymbolicTensor {
  if (spec.dtype === 'float32') return input;
  const field = encoded.fields.find((f) => f.name === spec.field);
  const staticShape = spec.role === 'metadata' && spec.shape.length === 1 && spec.shape[0] === 1;
  if (field?.cardinality && staticShape) {
    const embedded = applyLayer(
      tfl.layers.embedding({
        inputDim: field.cardinality,
        outputDim: field.width,
        embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seeds.next() }),
      }),
      input,
    );
    return applyLayer(tfl.layers.flatten(), embedded);
  }
  throw new MetaseriesError(
    'FUSION_UNSUPPORTED_INPUT',
    `input ${spec.name} (${spec.dtype} ${JSON.stringify(spec.shape)}) needs an encoder layer that fusion does not have: encode it with @metaseries/encoders`,
    { field: spec.field ?? spec.name, value: spec.dtype, expected: 'float32, or int32 [1] with a cardinality' },
  );
}

/**
 * Creates one `tf.input` per `EncodedSchema` input (except those of excluded fields) and turns
 * the metadata inputs into one `[B,D]` vector and the context inputs into one `[B,T,K]` tensor:
 * float inputs are used as they are, an int32 `[1]` categorical index goes through an embedding
 * of the field's `width`.
 */
export function encodedInputs(encoded: EncodedSchema, exclude: readonly string[], seeds: SeedSequence): EncodedInputs {
  const inputs: tfl.SymbolicTensor[] = [];
  const metadata: tfl.SymbolicTensor[] = [];
  const context: tfl.SymbolicTensor[] = [];
  let series: tfl.SymbolicTensor | undefined;
  let mask: tfl.SymbolicTensor | undefined;
  for (const spec of encoded.inputs) {
    if (spec.field !== undefined && exclude.includes(spec.field)) continue;
    const shape = spec.shape.map((s) => (s === null ? encoded.timeSteps : s));
    const input = tfl.input({ shape, name: spec.name, dtype: spec.dtype });
    inputs.push(input);
    if (spec.role === 'series') series = input;
    else if (spec.role === 'mask') mask = input;
    else if (spec.role === 'metadata') metadata.push(encodeOne(spec, input, encoded, seeds));
    else context.push(encodeOne(spec, input, encoded, seeds));
  }
  if (!series || !mask) {
    throw new MetaseriesError('FUSION_INVALID_SCHEMA', 'the encoded schema needs a `series` and a `mask` input', {
      field: 'inputs',
      value: encoded.inputs.map((i) => i.name).join(', '),
      expected: 'inputs with roles series and mask',
    });
  }
  return { inputs, series, mask, metadata: concatLast(metadata), context: concatLast(context) };
}
