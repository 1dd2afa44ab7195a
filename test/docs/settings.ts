/**
 * The environment variables the code reads, found in its source with the TypeScript parser: the keys
 * of every `z.object({...})` model that are setting names (UPPER_SNAKE), and every `process.env.NAME`
 * or `process.env['NAME']`. Reading the real source rather than a list kept by hand means a setting
 * added to a model is found without anyone telling this test.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from './markdown.ts';

const SETTING = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{3,}$/;

/** Where settings are read: every package but the dashboard's browser code, whose builds read none. */
export const SOURCE_ROOTS = [
  'core',
  'server',
  'processor',
  'tools',
  'bench',
  'infra',
  'test',
  'web/e2e',
  'web/vite.config.ts',
];

const SKIPPED = new Set(['node_modules', 'dist', 'target', 'results', 'bin']);
const isSource = (name: string) => /\.(ts|tsx|mts|js|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name);

function sourceFiles(entry: string): string[] {
  const full = path.join(repoRoot, entry);
  if (!statSync(full).isDirectory()) return isSource(entry) ? [entry] : [];
  return readdirSync(full, { withFileTypes: true }).flatMap((child) => {
    if (SKIPPED.has(child.name)) return [];
    const relative = path.join(entry, child.name);
    return child.isDirectory() ? sourceFiles(relative) : isSource(child.name) ? [relative] : [];
  });
}

/** `object.name`, however it is spread over lines. */
const isAccess = (node: ts.Node, object: string, name: string): boolean =>
  ts.isPropertyAccessExpression(node) &&
  ts.isIdentifier(node.expression) &&
  node.expression.text === object &&
  node.name.text === name;

const isProcessEnv = (node: ts.Node): boolean => isAccess(node, 'process', 'env');

const isZodObject = (node: ts.CallExpression): boolean => isAccess(node.expression, 'z', 'object');

function propertyName(property: ts.ObjectLiteralElementLike): string | undefined {
  if (ts.isSpreadAssignment(property) || property.name === undefined) return undefined;
  if (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) return property.name.text;
  return undefined;
}

/** The setting names one source text reads. */
export function settingsIn(source: string, fileName = 'source.ts'): Set<string> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isZodObject(node)) {
      const shape = node.arguments[0];
      if (shape !== undefined && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          const name = propertyName(property);
          if (name !== undefined && SETTING.test(name)) found.add(name);
        }
      }
    }
    if (ts.isPropertyAccessExpression(node) && isProcessEnv(node.expression)) found.add(node.name.text);
    if (ts.isElementAccessExpression(node) && isProcessEnv(node.expression)) {
      const key = node.argumentExpression;
      if (ts.isStringLiteral(key)) found.add(key.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The operating system's own variables, which code passes on to the processes it starts: no settings of ours. */
const SYSTEM_VARIABLES = new Set(['PATH', 'HOME']);

/** Every setting the repository's code reads, with the files that read it. */
export function settingsReadByCode(): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const file of SOURCE_ROOTS.flatMap(sourceFiles)) {
    for (const name of settingsIn(readFileSync(path.join(repoRoot, file), 'utf8'), file)) {
      if (SYSTEM_VARIABLES.has(name)) continue;
      readers.set(name, [...(readers.get(name) ?? []), file]);
    }
  }
  return readers;
}

/** The settings a Markdown page's tables document: the backticked names in each row's first cell. */
export function settingsDocumented(firstCells: string[]): Set<string> {
  const names = firstCells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
  return new Set(names.filter((name) => SETTING.test(name)));
}
