// Shared jest settings: every package's tests run as native ES modules through ts-jest,
// and `@metaseries/*` resolve to the sibling package's source so a test never needs a build.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@metaseries/(core|data|encoders|fusion|eval|pipeline)$': `${root}/packages/$1/src/index.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: `${root}/tsconfig.jest.json` }],
  },
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  testTimeout: 120000,
};
