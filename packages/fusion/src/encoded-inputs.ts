import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import { applyMetadataEncoders, type EncodedSchema } from '@metaseries/encoders';

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

/** The model inputs themselves, before any encoder reads them. */
export interface ModelInputs {
  /** Every model input, in model order (excluded fields left out). */
  inputs: tfl.SymbolicTensor[];
  /** The same inputs by their `EncodedInputSpec.name`. */
  byName: Record<string, tfl.SymbolicTensor>;
  /** `[B,T,C]` series values. */
  series: tfl.SymbolicTensor;
  /** `[B,T]` 1 for real steps, 0 for padding. */
  mask: tfl.SymbolicTensor;
}

/** Creates one `tf.input` per `EncodedSchema` input (except those of excluded fields). */
export function modelInputs(encoded: EncodedSchema, exclude: readonly string[]): ModelInputs {
  const inputs: tfl.SymbolicTensor[] = [];
  const byName: Record<string, tfl.SymbolicTensor> = {};
  let series: tfl.SymbolicTensor | undefined;
  let mask: tfl.SymbolicTensor | undefined;
  for (const spec of encoded.inputs) {
    if (spec.field !== undefined && exclude.includes(spec.field)) continue;
    const shape = spec.shape.map((s) => (s === null ? encoded.timeSteps : s));
    const input = tfl.input({ shape, name: spec.name, dtype: spec.dtype });
    inputs.push(input);
    byName[spec.name] = input;
    if (spec.role === 'series') series = input;
    else if (spec.role === 'mask') mask = input;
  }
  if (!series || !mask) {
    throw new MetaseriesError('FUSION_INVALID_SCHEMA', 'the encoded schema needs a `series` and a `mask` input', {
      field: 'inputs',
      value: encoded.inputs.map((i) => i.name).join(', '),
      expected: 'inputs with roles series and mask',
    });
  }
  return { inputs, byName, series, mask };
}

/**
 * Lets `@metaseries/encoders`' `applyMetadataEncoders` turn the metadata inputs of `made` into one
 * `[B,D]` vector and the context inputs into one `[B,T,K]` tensor (its layers named with
 * `namePrefix`, so the members of an ensemble each get their own).
 */
export function encodeInputs(encoded: EncodedSchema, made: ModelInputs, exclude: readonly string[], seed: number, namePrefix = ''): EncodedInputs {
  const { metadata, context } = applyMetadataEncoders(encoded, made.byName, { exclude, seed, namePrefix });
  return { inputs: made.inputs, series: made.series, mask: made.mask, metadata, context };
}

/** {@link modelInputs} and {@link encodeInputs} in one: the inputs and one set of encoders. */
export function encodedInputs(encoded: EncodedSchema, exclude: readonly string[], seed: number): EncodedInputs {
  return encodeInputs(encoded, modelInputs(encoded, exclude), exclude, seed);
}
