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
