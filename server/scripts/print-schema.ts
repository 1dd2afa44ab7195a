/** Prints the schema, sorted, to the root schema.graphql (`npm run schema`); `--check` fails when it is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

export const schemaFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema.graphql');

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    if (readFileSync(schemaFile, 'utf8') !== printedSchema()) {
      console.error('schema.graphql is stale: run `npm run schema` and commit it');
      process.exit(1);
    }
  } else {
    writeFileSync(schemaFile, printedSchema());
    console.log(`wrote ${schemaFile}`);
  }
}
