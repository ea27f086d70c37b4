import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { installChainedOps } from './chained-ops.js';

describe('installChainedOps', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    installChainedOps();
  });

  it('gives tensors the chained methods tfjs-layers calls', () => {
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const anyT = t as unknown as Record<string, (...a: unknown[]) => tf.Tensor>;
    expect(Array.from(anyT.flatten!.call(t).dataSync())).toEqual([1, 2, 3, 4]);
    expect(anyT.reshape!.call(t, [4]).shape).toEqual([4]);
    expect(Array.from(anyT.add!.call(t, tf.scalar(1)).dataSync())).toEqual([2, 3, 4, 5]);
    expect(anyT.concat!.call(t, t, 0).shape).toEqual([4, 2]);
  });

  it('lets an LSTM with orthogonal recurrent weights build and train', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.lstm({ units: 3, inputShape: [4, 2] }));
    m.add(tfl.layers.dense({ units: 1 }));
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const h = await m.fit(tf.ones([4, 4, 2]), tf.ones([4, 1]), { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss![0] as number)).toBe(true);
  });
});
