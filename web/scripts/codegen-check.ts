/**
 * Fails when web/src/gql is stale: runs GraphQL Code Generator with the root
 * codegen.ts in memory and compares every file it would write with the
 * committed one (and finds committed files it would no longer write).
 * `npm run codegen:check -w web`; `npm run codegen -w web` fixes it.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { codegenConfig, outputDir } from '../../codegen.ts';

const generated = (await generate(codegenConfig(), false)) as { filename: string; content: string }[];
const problems: string[] = [];
const expected = new Set<string>();

for (const { filename, content } of generated) {
  const file = path.resolve(filename);
  expected.add(file);
  const relative = path.relative(process.cwd(), file);
  if (!existsSync(file)) problems.push(`${relative} is missing`);
  else if (readFileSync(file, 'utf8') !== content) problems.push(`${relative} differs from what codegen makes`);
}
for (const name of existsSync(outputDir) ? readdirSync(outputDir) : []) {
  const file = path.join(outputDir, name);
  if (!expected.has(file)) problems.push(`${path.relative(process.cwd(), file)} is no longer generated`);
}

if (problems.length > 0) {
  console.error(
    `web/src/gql is stale:\n  ${problems.join('\n  ')}\nRun \`npm run codegen -w web\` and commit the result.`,
  );
  process.exit(1);
}
console.log(`web/src/gql is up to date (${generated.length} files).`);
