/**
 * GraphQL Code Generator: typed documents for the dashboard (web/) from the
 * committed schema.graphql. `npm run codegen -w web` writes web/src/gql/;
 * `npm run codegen:check -w web` fails when that output is stale. It also
 * writes the persisted documents the server may restrict clients to.
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
          // Trusted documents: every operation of the dashboard goes into persisted-documents.json, keyed by
          // its SHA-256 (written out, not left to the default): the hash the persisted-query extension names
          // (`sha256Hash`) and that the server's persisted-operations plugin reads. The hash rides on each
          // document (`__meta__.hash`), so the dashboard can send it instead of the text.
          persistedDocuments: { mode: 'embedHashInDocument', hashPropertyName: 'hash', hashAlgorithm: 'sha256' },
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
