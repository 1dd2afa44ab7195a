/** Where the services keep their data, logs and pid files: all under the git-ignored `.data/`. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const infraDir = path.join(repoRoot, 'infra');
export const dataDir = path.join(repoRoot, '.data');
export const runDir = path.join(dataDir, 'run');

export const logFile = (name: string): string => path.join(runDir, `${name}.log`);
export const pidFile = (name: string): string => path.join(runDir, `${name}.pid`);
