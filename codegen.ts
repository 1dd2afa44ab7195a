/**
 * GraphQL Code Generator: typed documents for the dashboard (web/) from the
 * committed schema.graphql. `npm run codegen -w web` writes web/src/gql/;
 * `npm run codegen:check -w web` fails when that output is stale.
 * Paths are resolved from this file, so it works from any working directory.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const root = path.dirname(fileURLToPath(import.meta.url));

/** Where the generated module goes; the check script passes another folder to compare. */
export const outputDir = path.join(root, 'web/src/gql/');

export function codegenConfig(output: string = outputDir): CodegenConfig {
  return {
    schema: path.join(root, 'schema.graphql'),
    documents: [path.join(root, 'web/src/**/*.{ts,tsx}'), `!${path.join(root, 'web/src/gql/**')}`],
    ignoreNoDocuments: false,
    silent: true,
    generates: {
      [output]: {
        preset: 'client',
        presetConfig: {
          fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
        },
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          strictScalars: true,
          scalars: { DateTime: 'string' },
          avoidOptionals: false,
        },
      },
    },
  };
}

export default codegenConfig();
