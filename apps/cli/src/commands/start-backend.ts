import { initBackend } from '@metaseries/core';

/**
 * Starts the tfjs backend once, before any model work: `METASERIES_BACKEND` when set, else the
 * config's `train.backend` when it names one, else core's choice (tensorflow > wasm > cpu).
 * Returns the backend's name.
 */
export async function startBackend(configured?: string): Promise<string> {
  const fromConfig = configured && configured !== 'auto' && !process.env.METASERIES_BACKEND ? (configured as 'cpu' | 'wasm' | 'tensorflow') : undefined;
  return initBackend(fromConfig ? { backend: fromConfig } : {});
}
