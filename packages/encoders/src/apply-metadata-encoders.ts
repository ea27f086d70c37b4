import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import type { EncodedSchema } from './encoded-schema.js';
import { BagEmbedding } from './layers/bag-embedding.js';

/** Options of {@link applyMetadataEncoders}. */
export interface ApplyMetadataEncodersOptions {
  /** Fields the model must not read (ablation). Default: `[]`. */
  exclude?: readonly string[];
  /** Base seed of the embedding initialisers (each field gets `seed + its position`). Default: `42`. */
  seed?: number;
}

function concat(parts: tfl.SymbolicTensor[]): tfl.SymbolicTensor | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  return tfl.layers.concatenate({ axis: -1 }).apply(parts) as tfl.SymbolicTensor;
}

/**
 * Builds each field's encoder layer on its model input and returns the static metadata vector
 * `[B, metadataWidth]` and the per-step context tensor `[B, T, contextWidth]` (null when there is
 * none): categorical index → Embedding (`embed_<field>`); one-hot, multi-categorical and text bags
 * → {@link BagEmbedding} (`bag_<field>`) to the field's width; numeric and boolean columns as they
 * are. `inputs` holds a symbolic input per `EncodedInputSpec.name`.
 */
export function applyMetadataEncoders(
  encoded: EncodedSchema,
  inputs: Record<string, tfl.SymbolicTensor>,
  options: ApplyMetadataEncodersOptions = {},
): { metadata: tfl.SymbolicTensor | null; context: tfl.SymbolicTensor | null } {
  const exclude = new Set(options.exclude ?? []);
  const seed = options.seed ?? 42;
  const metadata: tfl.SymbolicTensor[] = [];
  const context: tfl.SymbolicTensor[] = [];
  encoded.fields.forEach((field, position) => {
    if (exclude.has(field.name)) return;
    for (const name of field.inputs) {
      const input = inputs[name];
      const spec = encoded.inputs.find((s) => s.name === name);
      if (!input || !spec) {
        throw new MetaseriesError('ENCODER_MISSING_INPUT', 'the model has no input for a field of the encoded schema', { field: field.name, value: name });
      }
      const safe = name.replace(/^(meta|ctx)_/, '');
      let out: tfl.SymbolicTensor;
      const inWidth = spec.shape[spec.shape.length - 1] as number;
      if (spec.dtype === 'int32') {
        const emb = tfl.layers.embedding({
          inputDim: field.cardinality ?? inWidth,
          outputDim: field.width,
          name: `embed_${safe}`,
          embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed + position }),
        });
        out = tfl.layers.flatten({ name: `embed_${safe}_flat` }).apply(emb.apply(input)) as tfl.SymbolicTensor;
      } else if (field.width !== inWidth) {
        out = new BagEmbedding({ units: field.width, seed: seed + position, name: `bag_${safe}` }).apply(input) as tfl.SymbolicTensor;
      } else {
        out = input;
      }
      (field.scope === 'static' ? metadata : context).push(out);
    }
  });
  return { metadata: concat(metadata), context: concat(context) };
}
