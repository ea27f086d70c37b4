import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { buildModel, type EncoderName, type FusionName } from './index.js';
import { tinyConfig } from './testing/tiny-fixture.js';

/** A schema whose batches may differ in length (`timeSteps: null`). */
const variable: EncodedSchema = {
  channels: 2,
  timeSteps: null,
  inputs: [
    { name: 'series', shape: [null, 2], dtype: 'float32', role: 'series' },
    { name: 'mask', shape: [null], dtype: 'float32', role: 'mask' },
    { name: 'meta_age', shape: [2], dtype: 'float32', role: 'metadata', field: 'age' },
  ],
  fields: [{ name: 'age', kind: 'numeric', scope: 'static', width: 2, inputs: ['meta_age'] }],
  metadataWidth: 2,
  contextWidth: 0,
  task: 'multilabel',
  outputs: 3,
};

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/*
 * Padding a batch to more steps must not change any prediction. InceptionTime is left out: its
 * max-pool branch sees a padded step as 0 where the unpadded series ends (tfjs pads a max-pool
 * with -∞), so the last real steps can differ; values at padded steps still never matter.
 */
const pairs: Array<[EncoderName, FusionName, boolean]> = [
  ['lstm', 'attention', true],
  ['gru', 'late', false],
  ['lstm', 'none', true],
  ['fcn', 'film', false],
  ['resnet', 'gated', false],
  ['transformer', 'early', false],
  ['transformer', 'attention', false],
];

it.each(pairs)('%s + %s (bidirectional %s): padding to more steps changes no prediction', (encoder, fusion, bidirectional) => {
  const model = buildModel({ ...tinyConfig, encoder, fusion, recurrent: { units: [4, 3], bidirectional } }, variable, { seed: 5 });
  const series = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 8);
  const meta = tf.randomNormal([2, 2], 0, 1, 'float32', 9);
  const feed = (batch: Record<string, tf.Tensor>) => model.inputNames.map((n) => batch[n]!);
  const short = model.predict(feed({ series, mask: tf.ones([2, 4]), meta_age: meta }));
  const padded = model.predict(
    feed({ series: tf.concat([series, tf.fill([2, 3, 2], 5)], 1), mask: tf.concat([tf.ones([2, 4]), tf.zeros([2, 3])], 1), meta_age: meta }),
  );
  const a = (Array.isArray(short) ? short[0]! : short).dataSync();
  const b = (Array.isArray(padded) ? padded[0]! : padded).dataSync();
  Array.from(a).forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
  // multilabel: independent sigmoids, not a softmax
  expect(a.every((v) => v > 0 && v < 1)).toBe(true);
  expect(Math.abs(a[0]! + a[1]! + a[2]! - 1)).toBeGreaterThan(1e-3);
  if (Array.isArray(padded)) {
    const w = padded[1]!.arraySync() as number[][][];
    w.forEach((heads) => heads.forEach((row) => expect(row.slice(4)).toEqual([0, 0, 0])));
  }
  model.dispose();
});
