import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import type { EncodedFieldInfo, EncodedInputSpec, EncodedSchema } from './encoded-schema.js';
import { BagEmbedding } from './layers/bag-embedding.js';

/** Options of {@link applyMetadataEncoders}. */
export interface ApplyMetadataEncodersOptions {
  /**
   * Fields the model must not read (ablation). Their inputs may be absent from `inputs`; leave
   * them out of the model too (a model input that reaches no output does not survive save and
   * load). `transform` still emits them, and a batch's extra keys are ignored when it is fed by
   * `model.inputNames`. Default: `[]`.
   */
  exclude?: readonly string[];
  /** Base seed of the embedding initialisers (each field gets `seed + its position`). Default: `42`. */
  seed?: number;
  /**
   * Prefix of the encoder layers' names, so that several sets of encoders (the members of an
   * ensemble) can read the same inputs in one model. Default: `''` (`embed_<field>`, `bag_<field>`).
   */
  namePrefix?: string;
}

/** Defaults of {@link ApplyMetadataEncodersOptions}. */
export const defaultApplyMetadataEncodersOptions: Required<ApplyMetadataEncodersOptions> = { exclude: [], seed: 42, namePrefix: '' };

/** Which layer turns a field's input into its vector. */
type EncoderLayerKind = 'embedding' | 'bag' | 'identity';

function layerKind(field: EncodedFieldInfo, spec: EncodedInputSpec): EncoderLayerKind {
  if (spec.dtype === 'int32') return 'embedding';
  if (field.kind === 'multiCategorical' || field.kind === 'text') return 'bag';
  // a context category arrives one-hot per step: a bag of one is its embedding
  if (field.kind === 'categorical' && field.scope === 'context') return 'bag';
  // static one-hot categorical, numeric and boolean columns are used as they are
  return 'identity';
}

function concat(parts: tfl.SymbolicTensor[]): tfl.SymbolicTensor | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  return tfl.layers.concatenate({ axis: -1 }).apply(parts) as tfl.SymbolicTensor;
}

/**
 * Builds each field's encoder layer on its model input and returns the static metadata vector
 * `[B, metadataWidth]` and the per-step context tensor `[B, T, contextWidth]` (null when there is
 * none, or when every such field is excluded):
 *
 * - categorical index (int32 `[1]`) → `Embedding` named `embed_<field>` (then `embed_<field>_flat`);
 * - multi-categorical and text bags, and per-step context categories → {@link BagEmbedding}
 *   named `bag_<field>` (the bag weights already average or sum the present tags, so padding
 *   and absent tags contribute nothing);
 * - one-hot categorical, numeric and boolean columns → used as they are.
 *
 * `<field>` is the input name without its `meta_`/`ctx_` prefix (so already sanitised).
 * `inputs` holds a symbolic input per `EncodedInputSpec.name` (those of excluded fields may be
 * missing). Throws `ENCODER_MISSING_INPUT` when a field's input is absent and
 * `ENCODER_SCHEMA_INVALID` when an input's width disagrees with its field's width.
 */
export function applyMetadataEncoders(
  encoded: EncodedSchema,
  inputs: Record<string, tfl.SymbolicTensor>,
  options: ApplyMetadataEncodersOptions = {},
): { metadata: tfl.SymbolicTensor | null; context: tfl.SymbolicTensor | null } {
  const o = { ...defaultApplyMetadataEncodersOptions, ...options };
  const exclude = new Set(o.exclude);
  const metadata: tfl.SymbolicTensor[] = [];
  const context: tfl.SymbolicTensor[] = [];
  encoded.fields.forEach((field, position) => {
    if (exclude.has(field.name)) return;
    for (const name of field.inputs) {
      const input = inputs[name];
      const spec = encoded.inputs.find((s) => s.name === name);
      if (!input || !spec) {
        throw new MetaseriesError('ENCODER_MISSING_INPUT', 'the model has no input for a field of the encoded schema', {
          field: field.name,
          value: name,
          expected: Object.keys(inputs).join(', ') || 'no inputs',
        });
      }
      const safe = name.replace(/^(meta|ctx)_/, '');
      const inWidth = spec.shape[spec.shape.length - 1] as number;
      let out: tfl.SymbolicTensor;
      switch (layerKind(field, spec)) {
        case 'embedding': {
          const emb = tfl.layers.embedding({
            inputDim: field.cardinality ?? inWidth,
            outputDim: field.width,
            name: `${o.namePrefix}embed_${safe}`,
            embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: o.seed + position }),
          });
          out = tfl.layers.flatten({ name: `${o.namePrefix}embed_${safe}_flat` }).apply(emb.apply(input)) as tfl.SymbolicTensor;
          break;
        }
        case 'bag':
          out = new BagEmbedding({ units: field.width, seed: o.seed + position, name: `${o.namePrefix}bag_${safe}` }).apply(input) as tfl.SymbolicTensor;
          break;
        case 'identity':
          if (inWidth !== field.width) {
            throw new MetaseriesError('ENCODER_SCHEMA_INVALID', `input ${name} has width ${inWidth} but its field's encoded width is ${field.width}`, {
              field: field.name,
              value: inWidth,
              expected: String(field.width),
            });
          }
          out = input;
          break;
      }
      (field.scope === 'static' ? metadata : context).push(out);
    }
  });
  return { metadata: concat(metadata), context: concat(context) };
}
