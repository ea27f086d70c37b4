import { initBackend } from '@metaseries/core';
import { SCENARIOS } from '@metaseries/data';
import type { ModelConfigInput } from '@metaseries/fusion';
import { scenarioAccuracy } from './scenario-accuracy.js';

/**
 * Time-varying context reaches every strategy (concatenated per step), so on `operating-mode`
 * the comparison is the `none` model with and without the `mode` context; on `noise-field`
 * the metadata is pure noise and must not help. Small FCN, wasm backend, one seed: about 1 minute.
 */
const TOLERANCE = 0.1;

/**
 * The context's embedding starts near zero and the default scenario FCN (16 filters, kernels 7/5)
 * learns to use it only after ~30 epochs (0.63 at 10 epochs, 1.0 at 30); 32 filters with kernel 3
 * reach 1.0 in the 10 epochs of a run.
 */
const OPERATING_MODE_MODEL: ModelConfigInput = { fusion: 'none', fcn: { filters: [32, 32], kernelSizes: [3, 3] } };

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/*
 * operating-mode: data documents a series-only Bayes accuracy of 0.75, but the mode the second
 * half runs in is visible in the series itself between the switch and T/2 (the level there is the
 * end mode's expected level, and `abnormal` only acts after T/2), so a series-only model reaches
 * ~0.84 here and the documented margin (0.25) cannot be asserted. What is asserted: with the
 * context a model reaches the documented with-context Bayes accuracy minus the tolerance, and the
 * context never hurts.
 */
it('operating-mode: with the aligned context the model reaches the with-context Bayes accuracy − tolerance', async () => {
  const info = SCENARIOS['operating-mode'];
  const without = await scenarioAccuracy('operating-mode', { ...OPERATING_MODE_MODEL, excludeFields: ['mode'] }, 1);
  const withContext = await scenarioAccuracy('operating-mode', OPERATING_MODE_MODEL, 1);
  expect(withContext).toBeGreaterThanOrEqual(info.bayesAccuracyWithMetadata - TOLERANCE);
  expect(withContext).toBeGreaterThanOrEqual(without);
}, 180000);

it('noise-field: pure-noise metadata does not help (late and gated fusion ≤ none + 0.03)', async () => {
  const none = await scenarioAccuracy('noise-field', { fusion: 'none' }, 1);
  expect(none).toBeGreaterThan(SCENARIOS['noise-field'].bayesAccuracyWithoutMetadata - TOLERANCE);
  for (const fusion of ['late', 'gated'] as const) {
    const withNoise = await scenarioAccuracy('noise-field', { fusion }, 1);
    expect(withNoise).toBeLessThanOrEqual(none + 0.03);
  }
}, 180000);
