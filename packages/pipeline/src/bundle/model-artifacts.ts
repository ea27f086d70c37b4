import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';

/** File names of the tfjs model inside a bundle (the tfjs "layers-model" format). */
export const MODEL_JSON_FILE = 'model.json';
export const MODEL_WEIGHTS_FILE = 'weights.bin';

/** The tfjs model as the two files of the standard tfjs layers format. */
export interface SerializedModel {
  modelJson: Uint8Array;
  weights: Uint8Array;
}

/**
 * Serializes a tfjs-layers model into `model.json` (topology + weights manifest) and one
 * `weights.bin`, the layout `tf.loadLayersModel` reads.
 */
export async function serializeModel(model: tfl.LayersModel): Promise<SerializedModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  const a = artifacts!;
  const weightData = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
  const json = {
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    modelTopology: a.modelTopology,
    ...(a.trainingConfig && { trainingConfig: a.trainingConfig }),
    weightsManifest: [{ paths: [`./${MODEL_WEIGHTS_FILE}`], weights: a.weightSpecs ?? [] }],
  };
  return { modelJson: new TextEncoder().encode(JSON.stringify(json)), weights: new Uint8Array(weightData) };
}

/** Rebuilds the model from the two files written by {@link serializeModel}. */
export async function deserializeModel(modelJson: Uint8Array, weights: Uint8Array, file = MODEL_JSON_FILE): Promise<tfl.LayersModel> {
  let json: { modelTopology?: unknown; weightsManifest?: Array<{ weights: tf.io.WeightsManifestEntry[] }>; format?: string; generatedBy?: string; convertedBy?: string | null; trainingConfig?: tf.io.TrainingConfig };
  try {
    json = JSON.parse(new TextDecoder().decode(modelJson));
  } catch (e) {
    throw new MetaseriesError('BUNDLE_MODEL_INVALID', 'model.json is not valid JSON', { file }, { cause: e });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new MetaseriesError('BUNDLE_MODEL_INVALID', 'model.json lacks modelTopology or weightsManifest', { file, expected: 'a tfjs layers-model' });
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? null,
        trainingConfig: json.trainingConfig,
      }),
    );
  } catch (e) {
    throw new MetaseriesError('BUNDLE_MODEL_INVALID', `cannot rebuild the model from model.json: ${(e as Error).message}`, { file }, { cause: e });
  }
}
