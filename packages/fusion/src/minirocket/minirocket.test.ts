import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, initBackend } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { adaptModel } from '../adapt-model.js';
import { buildModel } from '../build-model.js';
import { resolveModelConfig } from '../model-config.js';
import { MiniRocketFeatures } from './minirocket-features.js';
import {
  featureQuantiles,
  fitBiases,
  fitDilations,
  KERNEL_INDICES,
  type MiniRocketDilations,
} from './minirocket-parameters.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('MiniRocket parameters', () => {
  it('spreads dilations and features as the reference _fit_dilations does (values from its numpy code)', () => {
    expect(fitDilations(251, 10_000, 32)).toEqual({
      dilations: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 17, 20, 22, 25, 27, 31],
      featuresPerDilation: [27, 12, 12, 8, 8, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3],
    });
    expect(fitDilations(30, 10_000, 32)).toEqual({
      dilations: [1, 2, 3],
      featuresPerDilation: [64, 37, 18],
    });
    expect(fitDilations(512, 2000, 8)).toEqual({
      dilations: [1, 3, 5, 10, 19, 35, 63],
      featuresPerDilation: [6, 3, 3, 3, 3, 3, 2],
    });
    expect(fitDilations(24, 252, 32)).toEqual({ dilations: [1, 2], featuresPerDilation: [2, 1] });
  });

  it('has the 84 kernels and the golden-ratio quantiles', () => {
    expect(KERNEL_INDICES).toHaveLength(84);
    expect(KERNEL_INDICES[0]).toEqual([0, 1, 2]);
    expect(KERNEL_INDICES[83]).toEqual([6, 7, 8]);
    const q = featureQuantiles(3);
    expect(q[0]).toBeCloseTo(0.6180339887, 9);
    expect(q[1]).toBeCloseTo(0.2360679775, 9);
    expect(q[2]).toBeCloseTo(0.8541019662, 9);
  });
});

/**
 * The reference `transform` (minirocket.py / minirocket_multivariate.py), written as literally as
 * possible: C_alpha and C_gamma built by shifting, C = C_alpha + three C_gamma rows, PPV over all
 * of C or over C[padding:-padding] on alternate kernels. One example's real steps `[len, C]`.
 * Each feature is a range [low, high]: a step whose C equals the bias (a bias is a quantile of
 * one example's C, which may repeat a value) counts as above in one bound only, since float32
 * and float64 sums decide such ties either way.
 */
function referenceTransform(
  x: Float32Array,
  len: number,
  channels: number,
  dil: MiniRocketDilations,
  channelMask: Float32Array,
  biases: Float32Array,
): [number, number][] {
  const out: [number, number][] = [];
  let f = 0;
  dil.dilations.forEach((dilation, di) => {
    const padding0 = di % 2;
    const padding = ((9 - 1) * dilation) / 2;
    for (let k = 0; k < 84; k++) {
      const offset = (di * 84 + k) * channels;
      const X = Array.from({ length: len }, (_, t) => {
        let s = 0;
        for (let c = 0; c < channels; c++) if (channelMask[offset + c]) s += x[t * channels + c]!;
        return s;
      });
      const A = X.map((v) => -v);
      const G = X.map((v) => 3 * v);
      const Calpha = [...A];
      const Cgamma = Array.from({ length: 9 }, () => new Array<number>(len).fill(0));
      Cgamma[4] = [...G];
      let start = dilation;
      let end = len - padding;
      for (let g = 0; g < 4; g++) {
        // C_alpha[-end:] += A[:end]; C_gamma[g, -end:] = G[:end]
        for (let i = 0; i < end; i++) {
          Calpha[len - end + i]! += A[i]!;
          Cgamma[g]![len - end + i] = G[i]!;
        }
        end += dilation;
      }
      for (let g = 5; g < 9; g++) {
        // C_alpha[:-start] += A[start:]; C_gamma[g, :-start] = G[start:]
        for (let i = 0; i < len - start; i++) {
          Calpha[i]! += A[start + i]!;
          Cgamma[g]![i] = G[start + i]!;
        }
        start += dilation;
      }
      const [i0, i1, i2] = KERNEL_INDICES[k]!;
      const C = Calpha.map((a, t) => a + Cgamma[i0]![t]! + Cgamma[i1]![t]! + Cgamma[i2]![t]!);
      const part = (padding0 + k) % 2 === 0 ? C : C.slice(padding, len - padding);
      const n = dil.featuresPerDilation[di]!;
      for (let j = 0; j < n; j++, f++) {
        const b = biases[f]!;
        const tol = 1e-5 * Math.max(1, Math.abs(b));
        const share = (above: (c: number) => boolean) =>
          part.length ? part.filter(above).length / part.length : 0;
        out.push([share((c) => c > b + tol), share((c) => c > b - tol)]);
      }
    }
  });
  return out;
}

function examples(
  count: number,
  T: number,
  C: number,
  lengths: number[],
  seed: number,
): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(count * T * C);
  for (let e = 0; e < count; e++)
    for (let t = 0; t < lengths[e]!; t++)
      for (let c = 0; c < C; c++)
        x[(e * T + t) * C + c] = Math.sin(t / (2 + e + c)) + 0.5 * rng.normal();
  return x;
}

function maskOf(lengths: number[], T: number): tf.Tensor2D {
  return tf.tensor2d(
    lengths.flatMap((l) => Array.from({ length: T }, (_, t) => (t < l ? 1 : 0))),
    [lengths.length, T],
  );
}

describe('MiniRocketFeatures', () => {
  for (const [C, lengths] of [
    [1, [40, 40, 40, 40, 40]],
    [3, [40, 31, 40, 12, 25]],
  ] as const) {
    it(`gives the reference transform's features (${C} channel${C > 1 ? 's' : ''}, lengths ${lengths.join('/')})`, () => {
      const T = 40;
      const lens = [...lengths];
      const x = examples(lens.length, T, C, lens, 3);
      const layer = new MiniRocketFeatures({ numFeatures: 840, seed: 5 });
      const xs = tf.tensor3d(x, [lens.length, T, C]);
      const mask = maskOf(lens, T);
      layer.apply([tfl.input({ shape: [T, C] }), tfl.input({ shape: [T] })]);
      layer.adapt({ x, count: lens.length, timeSteps: T, channels: C, lengths: lens });
      const [channelMask, biases, mean, scale] = [
        'channel_mask',
        'biases',
        'feature_mean',
        'feature_scale',
      ].map(
        (n) =>
          layer.weights
            .find((w) => w.originalName.endsWith(n))!
            .read()
            .dataSync() as Float32Array,
      );
      // the biases are those of the reference's _fit_biases with the same draws
      expect(Array.from(biases!)).toEqual(
        Array.from(
          fitBiases(
            { x, count: lens.length, timeSteps: T, channels: C, lengths: lens },
            layer.dilations,
            channelMask!,
            createRng(5 + 1),
          ),
        ),
      );
      if (C > 1) expect(new Set(Array.from(channelMask!)).size).toBe(2); // a real subset of channels per combination
      const got = (layer.apply([xs, mask]) as tf.Tensor).arraySync() as number[][];
      expect(got[0]).toHaveLength(layer.outputFeatures);
      let worst = 0;
      let ties = 0;
      lens.forEach((len, e) => {
        const ref = referenceTransform(
          x.subarray(e * T * C, (e + 1) * T * C),
          len,
          C,
          layer.dilations,
          channelMask!,
          biases!,
        );
        ref.forEach(([low, high], j) => {
          const raw = got[e]![j]! * scale![j]! + mean![j]!;
          worst = Math.max(worst, low - raw, raw - high);
          if (high > low) ties++;
        });
      });
      expect(worst).toBeLessThan(1e-5);
      expect(ties).toBeLessThan(lens.length * layer.outputFeatures * 0.01);
      // standardised on the training features: mean 0
      const colMean = got[0]!.map((_, j) => got.reduce((s, row) => s + row[j]!, 0) / got.length);
      expect(Math.max(...colMean.map(Math.abs))).toBeLessThan(1e-4);
    });
  }

  it('refuses to run before it is adapted, naming adaptModel', () => {
    const layer = new MiniRocketFeatures({ numFeatures: 84 });
    expect(() => layer.apply([tf.zeros([1, 20, 1]), tf.ones([1, 20])])).toThrow(/adaptModel/);
  });

  it('needs a fixed length, and is refused with attention or early fusion', () => {
    expect(() =>
      new MiniRocketFeatures().apply([
        tfl.input({ shape: [null, 1] }),
        tfl.input({ shape: [null] }),
      ]),
    ).toThrow(/fixed series length/);
    expect(() => resolveModelConfig({ encoder: 'minirocket', fusion: 'attention' })).toThrow(
      /per-step features/,
    );
    expect(() =>
      resolveModelConfig({
        encoder: 'minirocket',
        fusion: 'none',
        minirocket: { numFeatures: 10 },
      }),
    ).toThrow(/minirocket.numFeatures/);
  });
});

describe('a minirocket model', () => {
  const T = 30;
  const encoded: EncodedSchema = {
    task: 'multiclass',
    outputs: 3,
    timeSteps: T,
    channels: 2,
    fields: [],
    metadataWidth: 0,
    contextWidth: 0,
    inputs: [
      { name: 'series', shape: [null, 2], dtype: 'float32', role: 'series' },
      { name: 'mask', shape: [null], dtype: 'float32', role: 'mask' },
    ],
  };

  it('is adapted on training inputs, then saves and loads with identical predictions', async () => {
    const model = buildModel(
      {
        encoder: 'minirocket',
        fusion: 'none',
        headUnits: 0,
        dropout: 0,
        minirocket: { numFeatures: 420 },
      },
      encoded,
      { seed: 3 },
    );
    const lens = [30, 30, 22, 30, 17, 30];
    const x = examples(lens.length, T, 2, lens, 9);
    const batch = {
      series: { dtype: 'float32' as const, shape: [lens.length, T, 2], data: x },
      mask: {
        dtype: 'float32' as const,
        shape: [lens.length, T],
        data: maskOf(lens, T).dataSync() as Float32Array,
      },
    };
    expect(adaptModel(model, [batch])).toBe(1);
    const inputs = model.inputNames.map((n) =>
      tf.tensor(batch[n as keyof typeof batch].data, batch[n as keyof typeof batch].shape),
    );
    const before = (model.predict(inputs) as tf.Tensor).dataSync();
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => (
          (saved = a),
          { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
        ),
      ),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const after = (loaded.predict(inputs) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(
      loaded.trainableWeights.map((w) => w.name).every((n) => !/minirocket|biases/i.test(n)),
    ).toBe(true);
  });
});
