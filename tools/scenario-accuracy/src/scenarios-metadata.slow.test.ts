import { initBackend } from '@metaseries/core';
import { SCENARIOS } from '@metaseries/data';
import type { FusionName } from '@metaseries/fusion';
import { scenarioAccuracy } from './scenario-accuracy.js';

/**
 * On the scenarios where a static field changes what the series means, every metadata-aware
 * strategy must beat the series-only model by the margin the generator documents (Bayes accuracy
 * with metadata − without) minus TOLERANCE: small models, 10 epochs and 256 test records leave
 * some distance to the Bayes rate. Small FCN, wasm backend (the cpu backend's Conv1D gradient is
 * about 60× slower), one seed: about 2 minutes.
 */
const TOLERANCE = 0.1;
const STRATEGIES: FusionName[] = ['early', 'attention', 'late', 'film', 'gated'];

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe.each([['machine-type'], ['age-threshold']] as const)('on %s', (scenario) => {
  const info = SCENARIOS[scenario];
  const margin = info.bayesAccuracyWithMetadata - info.bayesAccuracyWithoutMetadata;
  let baseline = 0;

  it(`none stays near the series-only Bayes accuracy ${info.bayesAccuracyWithoutMetadata}`, async () => {
    baseline = await scenarioAccuracy(scenario, { fusion: 'none' }, 1);
    expect(baseline).toBeLessThan(info.bayesAccuracyWithoutMetadata + 0.06);
  }, 120000);

  it.each(STRATEGIES.map((s) => [s]))(`%s beats none by at least ${margin.toFixed(2)} − ${TOLERANCE}`, async (fusion) => {
    const accuracy = await scenarioAccuracy(scenario, { fusion }, 1);
    expect(accuracy - baseline).toBeGreaterThanOrEqual(margin - TOLERANCE);
  }, 120000);
});
