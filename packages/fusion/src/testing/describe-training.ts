// Test support: the training check every encoder's test file runs on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@metaseries/core';
import { buildModel, trainingTargets } from '../build-model.js';
import { FUSIONS, type EncoderName } from '../model-config.js';
import { feed, TINY_T, tinyBatch, tinyConfig, tinySchema } from './tiny-fixture.js';

/**
 * For each backend and fusion: 12 tiny records whose class is the record's `kind` (metadata) or,
 * for `none`, the sign of the series' first value; a few epochs must cut the loss by 15%.
 */
export function describeTraining(encoder: EncoderName, backends: BackendName[] = ['cpu', 'wasm']): void {
  describe.each(backends.map((b) => [b]))(`${encoder} encoder trains on %s`, (backend) => {
    beforeAll(async () => {
      await initBackend({ backend });
    });

    it.each(FUSIONS.map((f) => [f]))('with %s fusion', async (fusion) => {
      const model = buildModel({ ...tinyConfig, encoder, fusion, dropout: 0 }, tinySchema, { seed: 2, learningRate: 0.05 });
      const data = tinyBatch([6, 6, 5, 4, 6, 3, 6, 2, 6, 5, 4, 6], 0, 9);
      const labels = tf.tidy(() => {
        if (fusion !== 'none') return tf.cast(tf.mod(tf.reshape(data['meta_kind'], [-1]), 3), 'int32');
        const first = tf.slice(data['series'], [0, 0, 0], [-1, 1, 1]);
        return tf.cast(tf.reshape(tf.greater(first, 0), [-1]), 'int32');
      });
      const y = tf.oneHot(labels as tf.Tensor1D, 3);
      const targets = trainingTargets(model, y, TINY_T);
      const history = await model.fit(feed(model, data), targets, { epochs: 8, batchSize: 12, verbose: 0 });
      const loss = history.history['loss'] as number[];
      expect(Number.isFinite(loss[loss.length - 1])).toBe(true);
      expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.85);
      tf.dispose([labels, y, ...(Array.isArray(targets) ? targets.slice(1) : []), ...Object.values(data)]);
      model.dispose();
    });
  });
}
