import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError, tensorFromData, type TensorDataMap } from '@metaseries/core';
import { MiniRocketFeatures } from './minirocket/minirocket-features.js';
import { realLengths } from './minirocket/minirocket-parameters.js';

/** The layers of `model` whose state is fitted on training data rather than trained by gradient. */
export function adaptableLayers(model: tfl.LayersModel): MiniRocketFeatures[] {
  return model.layers.filter((l): l is MiniRocketFeatures => l instanceof MiniRocketFeatures);
}

/**
 * Fits every data-dependent layer of a model built by `buildModel` (today: the `minirocket`
 * encoder's biases and standardisation) on the training inputs, before training. Give it the
 * training split only — what it fits is saved with the model, like the fitted normalisation.
 * `batches` are model inputs by name (as `FittedPreprocessing.inputs` gives them), read once.
 * Returns how many layers were fitted (0 for models that have none, which need no call).
 */
export function adaptModel(model: tfl.LayersModel, batches: Iterable<TensorDataMap>): number {
  const layers = adaptableLayers(model);
  if (layers.length === 0) return 0;
  // what each layer reads, as a model from the same inputs (it shares the layers, so is not disposed)
  const reads = layers.map((l) =>
    tfl.model({ inputs: model.inputs, outputs: l.input as tfl.SymbolicTensor[] }),
  );
  const xs: Float32Array[][] = layers.map(() => []);
  const lengths: number[][] = layers.map(() => []);
  const shape: number[][] = [];
  for (const batch of batches) {
    const inputs = model.inputNames.map((n) => {
      const d = batch[n];
      if (!d)
        throw new MetaseriesError(
          'FUSION_INVALID_CONFIG',
          `adaptModel: the batch has no input '${n}'`,
          { field: n, expected: model.inputNames.join(', ') },
        );
      return tensorFromData(d);
    });
    reads.forEach((r, i) => {
      const [x, mask] = r.predict(inputs) as tf.Tensor[];
      const [b, t] = mask!.shape as number[];
      lengths[i]!.push(...realLengths(mask!.dataSync(), b!, t!));
      xs[i]!.push(x!.dataSync() as Float32Array);
      shape[i] = x!.shape as number[];
      tf.dispose([x!, mask!]);
    });
    tf.dispose(inputs);
  }
  layers.forEach((layer, i) => {
    const count = lengths[i]!.length;
    if (count === 0)
      throw new MetaseriesError(
        'FUSION_INVALID_CONFIG',
        `adaptModel: no training records to fit layer ${layer.name} on`,
        { field: 'batches', value: 0, expected: '>= 1 record' },
      );
    const [, timeSteps, channels] = shape[i]!;
    const x = new Float32Array(count * timeSteps! * channels!);
    let at = 0;
    for (const part of xs[i]!) {
      x.set(part, at);
      at += part.length;
    }
    layer.adapt({ x, count, timeSteps: timeSteps!, channels: channels!, lengths: lengths[i]! });
  });
  return layers.length;
}
