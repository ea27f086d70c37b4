import { isMetaseriesError, initBackend } from '@metaseries/core';
import type { EncodedSchema } from '@metaseries/encoders';
import { buildModel, defaultModelConfig, resolveModelConfig } from './index.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isMetaseriesError(e, 'FUSION_INVALID_CONFIG')) return e.details.field;
    throw e;
  }
  return undefined;
}

describe('resolveModelConfig', () => {
  it('fills every default, nested ones too', () => {
    const c = resolveModelConfig({ encoder: 'fcn', fcn: { filters: [8, 8, 8] } });
    expect(c.encoder).toBe('fcn');
    expect(c.fcn).toEqual({ filters: [8, 8, 8], kernelSizes: [8, 5, 3] });
    expect(c.resnet).toEqual(defaultModelConfig.resnet);
    expect(resolveModelConfig()).toEqual(defaultModelConfig);
  });

  it('does not share arrays with the defaults', () => {
    const c = resolveModelConfig();
    c.fcn.filters.push(1);
    expect(defaultModelConfig.fcn.filters).toEqual([128, 256, 128]);
  });

  it.each([
    [{ encoder: 'cnn' }, 'encoder'],
    [{ fusion: 'concat' }, 'fusion'],
    [{ units: 3 }, 'units'],
    [{ fcn: { width: 3 } }, 'fcn.width'],
    [{ fcn: { filters: [8, 0, 8] } }, 'fcn.filters[1]'],
    [{ fcn: { kernelSizes: [3] } }, 'fcn.kernelSizes'],
    [{ transformer: { dModel: 64, heads: 3 } }, 'transformer.heads'],
    [{ dropout: 1 }, 'dropout'],
    [{ recurrent: { bidirectional: 'yes' } }, 'recurrent.bidirectional'],
    [{ attention: { heads: 1.5 } }, 'attention.heads'],
  ])('rejects %j naming the key %s', (input, field) => {
    expect(fieldOf(() => resolveModelConfig(input as never))).toBe(field);
  });
});

describe('buildModel validation', () => {
  const seriesOnly: EncodedSchema = {
    channels: 1,
    timeSteps: 4,
    inputs: [
      { name: 'series', shape: [4, 1], dtype: 'float32', role: 'series' },
      { name: 'mask', shape: [4], dtype: 'float32', role: 'mask' },
    ],
    fields: [],
    metadataWidth: 0,
    contextWidth: 0,
    task: 'binary',
    outputs: 1,
  };
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it.each(['early', 'attention', 'late', 'film', 'gated'] as const)('%s without static metadata is FUSION_INVALID_CONFIG on fusion', (fusion) => {
    expect(fieldOf(() => buildModel({ fusion, encoder: 'fcn', fcn: { filters: [2], kernelSizes: [2] } }, seriesOnly))).toBe('fusion');
  });

  it('a series-only model with fusion none builds, with one sigmoid output named probabilities', () => {
    const model = buildModel({ fusion: 'none', encoder: 'fcn', fcn: { filters: [2], kernelSizes: [2] } }, seriesOnly);
    expect(model.outputNames).toEqual(['probabilities']);
    expect(model.outputs[0].shape).toEqual([null, 1]);
    model.dispose();
  });

  it.each(['fcn', 'resnet', 'inception'] as const)('%s batch norms use batchNormMomentum (default 0.9), and a bad one is refused', (encoder) => {
    const small = { fcn: { filters: [2], kernelSizes: [2] }, resnet: { filters: [2], kernelSizes: [2] }, inception: { depth: 3, filters: 2, bottleneck: 2, kernelSizes: [3], residualEvery: 3 } };
    const momenta = (m: ReturnType<typeof buildModel>) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => (l.getConfig() as { momentum: number }).momentum);
    const byDefault = buildModel({ fusion: 'none', encoder, ...small }, seriesOnly);
    expect(momenta(byDefault).length).toBeGreaterThan(0);
    expect(new Set(momenta(byDefault))).toEqual(new Set([0.9]));
    const keras = buildModel({ fusion: 'none', encoder, batchNormMomentum: 0.99, ...small }, seriesOnly);
    expect(new Set(momenta(keras))).toEqual(new Set([0.99]));
    expect(fieldOf(() => buildModel({ fusion: 'none', encoder, batchNormMomentum: 1, ...small }, seriesOnly))).toBe('batchNormMomentum');
    byDefault.dispose();
    keras.dispose();
  });

  it('a regression model names its output prediction', () => {
    const model = buildModel({ fusion: 'none', encoder: 'gru', recurrent: { units: [2] } }, { ...seriesOnly, task: 'regression' });
    expect(model.outputNames).toEqual(['prediction']);
    model.dispose();
  });

  it('excludeFields leaves a field out of the model inputs', () => {
    const withMeta: EncodedSchema = {
      ...seriesOnly,
      inputs: [...seriesOnly.inputs, { name: 'meta_a', shape: [2], dtype: 'float32', role: 'metadata', field: 'a' }, { name: 'meta_b', shape: [1], dtype: 'float32', role: 'metadata', field: 'b' }],
      fields: [
        { name: 'a', kind: 'numeric', scope: 'static', width: 2, inputs: ['meta_a'] },
        { name: 'b', kind: 'numeric', scope: 'static', width: 1, inputs: ['meta_b'] },
      ],
      metadataWidth: 3,
    };
    const model = buildModel({ fusion: 'late', encoder: 'fcn', fcn: { filters: [2], kernelSizes: [2] }, excludeFields: ['b'] }, withMeta);
    expect(model.inputNames).toEqual(['series', 'mask', 'meta_a']);
    model.dispose();
    expect(fieldOf(() => buildModel({ fusion: 'late', excludeFields: ['a', 'b'] }, withMeta))).toBe('fusion');
  });
});
