import { initBackend } from '@metaseries/core';
import { generateScenario } from '@metaseries/data';
import { fit } from './fit.js';
import { parseRunConfig } from '../config/run-config.js';

describe('calibration at the end of fit', () => {
  it('stores a validation-fitted temperature in the bundle, and none when calibrate is false', async () => {
    await initBackend({ backend: 'wasm' });
    const dataset = generateScenario('age-threshold', { n: 160, length: 20, seed: 3 });
    const base = { data: { scenario: { name: 'age-threshold' } }, model: { encoder: 'gru', fusion: 'late', units: 8 }, train: { epochs: 3, batchSize: 32 } };
    const on = await fit(parseRunConfig(base), dataset);
    const t = on.bundle.preprocessing.temperature;
    expect(Number.isFinite(t)).toBe(true);
    expect(t).toBeGreaterThan(0);
    expect(t).not.toBe(1);
    const off = await fit(parseRunConfig({ ...base, train: { ...base.train, calibrate: false } }), dataset);
    expect(off.bundle.preprocessing.temperature).toBe(1);
  });

  it('never sharpens (T < 1) a model whose validation split has no errors', async () => {
    await initBackend({ backend: 'wasm' });
    const dataset = generateScenario('machine-type', { n: 200, length: 20, seed: 5 });
    const config = parseRunConfig({ data: { scenario: { name: 'machine-type' } }, model: { encoder: 'gru', fusion: 'early', units: 16 }, train: { epochs: 25, batchSize: 16, learningRate: 0.01, earlyStopping: false } });
    const { bundle, metrics } = await fit(config, dataset);
    expect(metrics.valid.accuracy).toBe(1); // the case under test: no validation errors
    expect(bundle.preprocessing.temperature).toBeGreaterThanOrEqual(1);
  });
});
