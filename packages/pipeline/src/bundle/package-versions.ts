import { createRequire } from 'node:module';

const PACKAGES = [
  '@metaseries/core',
  '@metaseries/data',
  '@metaseries/encoders',
  '@metaseries/fusion',
  '@metaseries/eval',
  '@metaseries/pipeline',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
];

let cached: Record<string, string> | undefined;

/** Versions of the packages that take part in a bundle, for its manifest. Unresolvable ones are left out. */
export function packageVersions(): Record<string, string> {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      // Not installed beside this package: the manifest simply does not name it.
    }
  }
  cached = out;
  return out;
}
