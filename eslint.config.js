// One lint for the repository: typescript-eslint for the code, graphql-eslint for the schema and the web's operations.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import js from '@eslint/js';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
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
  {
    // The code's rules, kept off the GraphQL documents that graphql-eslint lints below.
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
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
    // core's entries list what they offer by name: an `export *` would make a whole module public unseen.
    files: ['core/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Export names one by one: `export { name } from`.' },
      ],
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
  {
    // The web's operations: graphql-eslint's processor lifts each `graphql()` document out of the code,
    // as a file of its own under the code file's name (`OrderTable.tsx/0_document.graphql`).
    files: ['web/src/**/*.{ts,tsx}'],
    ignores: ['web/src/gql/**'],
    processor: graphqlPlugin.processor,
  },
  {
    files: ['schema.graphql', 'web/src/**/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.graphql', documents: 'web/src/**/*.{ts,tsx}' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
  },
  {
    files: ['schema.graphql'],
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      // Every type and root field is described, but for the root types themselves, the Relay plugin's own
      // types (the spec describes them) and CreateOrderInput, whose description would change the
      // published schema.graphql (its fields are described).
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          ignoredSelectors: [
            '[name.value=/^(Query|Mutation|Subscription|Node|PageInfo|CreateOrderInput)$/]',
            '[type=ObjectTypeDefinition][name.value=/Edge$/]',
          ],
        },
      ],
      // An entity has one `id: ID!`. Listed apart: Product, whose identity is its SKU, and values (a
      // snapshot, a page, a count) with no identity of their own.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            types: [
              'ConsumerLag',
              'DeadLetterAction',
              'OrderStats',
              'OrderStatsMinute',
              'OrderStatusChange',
              'PageInfo',
              'PartitionLag',
              'PipelineHealth',
              'PipelineWarning',
              'Product',
            ],
            suffixes: ['Connection', 'Edge'],
          },
        },
      ],
      // Off: it refuses Order.orderNumber, and the schema's names are public API.
      '@graphql-eslint/no-typename-prefix': 'off',
    },
  },
  {
    files: ['web/src/**/*.graphql'],
    rules: {
      ...graphqlPlugin.configs['flat/operations-recommended'].rules,
      // Operations and fragments are named after the component that declares them (OrderTable_OrdersQuery,
      // OrderTable_Order), the operation's kind last: codegen names their types so.
      '@graphql-eslint/naming-convention': [
        'error',
        {
          VariableDefinition: 'camelCase',
          'OperationDefinition[operation=query]': { requiredPattern: /^[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*Query$/ },
          'OperationDefinition[operation=mutation]': {
            requiredPattern: /^[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*Mutation$/,
          },
          'OperationDefinition[operation=subscription]': {
            requiredPattern: /^[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*Subscription$/,
          },
          FragmentDefinition: { requiredPattern: /^[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*$/ },
        },
      ],
    },
  },
);
