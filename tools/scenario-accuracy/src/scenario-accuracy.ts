// Test support: train a model on one of data's synthetic scenarios and score it on a fresh draw.
import * as tf from '@tensorflow/tfjs-core';
import { alignDatasetContext, batchSeries, generateScenario, type ScenarioName } from '@metaseries/data';
import { LabelEncoder, MetadataEncoder } from '@metaseries/encoders';
import type { SeriesRecord } from '@metaseries/core';
import { buildModel, trainingTargets, type ModelConfigInput } from '@metaseries/fusion';

/** Sizes of a scenario run: records, steps, epochs. */
export interface ScenarioRun {
  trainSize: number;
  testSize: number;
  length: number;
  epochs: number;
  learningRate: number;
}

/** Sized so that one run takes about 10 s on the wasm backend (256 records × 10 epochs). */
export const defaultScenarioRun: ScenarioRun = { trainSize: 256, testSize: 256, length: 50, epochs: 10, learningRate: 0.01 };

/** A small FCN: fast on the cpu backend and enough for these scenarios. */
export const scenarioModel: ModelConfigInput = {
  encoder: 'fcn',
  fcn: { filters: [16, 16], kernelSizes: [7, 5] },
  attention: { heads: 1, keyDim: 16 },
  metadataUnits: [16],
  headUnits: 16,
  dropout: 0,
};

/** Test accuracy of `config` trained on scenario `name` (train draw `seed`, test draw `seed + 1000`). */
export async function scenarioAccuracy(name: ScenarioName, config: ModelConfigInput, seed: number, run: ScenarioRun = defaultScenarioRun): Promise<number> {
  const train = alignDatasetContext(generateScenario(name, { n: run.trainSize, length: run.length, seed }));
  const test = alignDatasetContext(generateScenario(name, { n: run.testSize, length: run.length, seed: seed + 1000 }));
  const metadata = MetadataEncoder.fit(train.schema, train.records);
  const labels = LabelEncoder.fit(train.schema.label, train.records.map((r) => r.label ?? null));
  const T = run.length;
  const encoded = metadata.encodedSchema({ channels: train.schema.channels.length, timeSteps: T, task: train.schema.label.task, outputs: labels.outputs });
  const toTensors = (records: readonly SeriesRecord[]) => {
    const { series, mask } = batchSeries(records, { timeSteps: T });
    const all = { series, mask, ...metadata.transform(records, { timeSteps: T }) };
    return Object.fromEntries(Object.entries(all).map(([k, d]) => [k, tf.tensor(d.data as Float32Array | Int32Array, d.shape, d.dtype as 'float32' | 'int32')]));
  };
  const yData = labels.transform(train.records.map((r) => r.label ?? null));
  const y = tf.tensor(yData.data as Float32Array, yData.shape);
  const xTrain = toTensors(train.records);
  const xTest = toTensors(test.records);
  const model = buildModel({ ...scenarioModel, ...config }, encoded, { seed, learningRate: run.learningRate });
  const targets = trainingTargets(model, y, T);
  await model.fit(
    model.inputNames.map((n) => xTrain[n]!),
    targets,
    { epochs: run.epochs, batchSize: 32, shuffle: false, verbose: 0 },
  );
  const out = model.predict(model.inputNames.map((n) => xTest[n]!));
  const p = (Array.isArray(out) ? out[0]! : out).dataSync();
  const truth = labels.transform(test.records.map((r) => r.label ?? null)).data;
  let correct = 0;
  for (let i = 0; i < test.records.length; i++) if ((p[i]! > 0.5 ? 1 : 0) === truth[i]) correct++;
  tf.dispose([y, ...(Array.isArray(targets) ? targets.slice(1) : []), ...Object.values(xTrain), ...Object.values(xTest), ...(Array.isArray(out) ? out : [out])]);
  model.dispose();
  return correct / test.records.length;
}
