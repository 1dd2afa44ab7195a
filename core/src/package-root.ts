/**
 * The folder of the package a module belongs to: the nearest folder above it
 * with a package.json. The same answer from a module's source
 * (`core/src/auth/tokens.ts`) and from the bundle it is built into
 * (`server/dist/main.js`), so paths relative to it hold in both.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRootOf(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
  return dir;
}
