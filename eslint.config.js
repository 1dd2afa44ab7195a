// One lint for the repository: typescript-eslint for the code.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// core's entries as its package.json exports them ("." and "./testing"): the only core paths other packages may import.
const coreExports = Object.keys(
  JSON.parse(readFileSync(new URL('./core/package.json', import.meta.url), 'utf8')).exports,
);
const coreSubpaths = coreExports.filter((entry) => entry !== '.').map((entry) => entry.slice(2));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.data/**',
      '**/dist/**',
      'infra/kafka/target/**',
      'web/src/gql/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A function that needs a scroll bar is two functions (STYLE.md); tests may hold long tables.
    files: ['core/**/*.ts', 'server/src/**/*.ts', 'processor/src/**/*.ts', 'bench/**/*.ts', 'web/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // A package uses core through its public entries: a path core does not export is private to it.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^@orders/core/(?!(${coreSubpaths.join('|')})$)`,
              message: `core's public entries are ${coreExports.join(', ')} (core/package.json "exports").`,
            },
            {
              regex: '(^|/)core/src(/|$)',
              message: 'Import core through @orders/core, not through its source folder.',
            },
          ],
        },
      ],
    },
  },
);
