import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * Package boundaries from DESIGN.md: each package may import only the packages listed here.
 * Tags live in each package.json under `nx.tags`.
 */
export const depConstraints = [
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:encoders', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:fusion', onlyDependOnLibsWithTags: ['scope:core', 'scope:encoders'] },
  { sourceTag: 'scope:eval', onlyDependOnLibsWithTags: ['scope:core'] },
  {
    sourceTag: 'scope:pipeline',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:data', 'scope:encoders', 'scope:fusion', 'scope:eval'],
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:data', 'scope:encoders', 'scope:fusion', 'scope:eval', 'scope:pipeline'],
  },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/out-tsc/**', '**/.nx/**', '**/coverage/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints, banTransitiveDependencies: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Take an rng or seed in the options (see STYLE.md: Randomness).' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tools/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
