/**
 * The npm commands a line of shell names: `npm run <script>` (and `npm run-script`), `npm start`,
 * `npm test` and the other lifecycle scripts, each with the workspace it names with `-w`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './markdown.ts';

export interface NpmCommand {
  /** The script asked for; undefined for an npm command of its own (`install`, `ci`…). */
  script?: string;
  command: string;
  workspace?: string;
}

/** npm's own commands that a document may name; anything else after `npm` must be a script. */
const NPM_COMMANDS = new Set(['install', 'i', 'ci', 'exec', 'ls', 'update', 'uninstall', 'version', 'init']);
const LIFECYCLE_SCRIPTS = new Set(['start', 'test', 'stop', 'restart']);
const SHELL_BREAK = /^(&&|\|\||;|\||\)|`)/;

function workspaceOf(words: string[]): string | undefined {
  for (const [index, word] of words.entries()) {
    if (word === '--') return undefined;
    if (word === '-w' || word === '--workspace') return words[index + 1];
    if (word.startsWith('--workspace=')) return word.slice('--workspace='.length);
  }
  return undefined;
}

/** Every npm command in one line of shell. */
export function npmCommands(line: string): NpmCommand[] {
  const commands: NpmCommand[] = [];
  const withoutComment = line.replace(/(^|\s)#.*$/, '');
  for (const match of withoutComment.matchAll(/(?<=^|[\s($`;&|])npm(?=\s)/g)) {
    const rest = withoutComment
      .slice(match.index + match[0].length)
      .split(/\s+/)
      .filter(Boolean);
    const end = rest.findIndex((word) => SHELL_BREAK.test(word));
    const words = (end === -1 ? rest : rest.slice(0, end)).map((word) => word.replace(/[)`;"',]+$/, ''));
    const at = words.findIndex((word) => !word.startsWith('-'));
    const command = words[at];
    if (command === undefined) continue;
    const tail = words.slice(at + 1);
    const workspace = workspaceOf(tail);
    if (command === 'run' || command === 'run-script') {
      // `npm run` alone lists the scripts.
      const script = tail.find((word) => !word.startsWith('-'));
      if (script !== undefined) commands.push({ command, script, workspace });
    } else if (LIFECYCLE_SCRIPTS.has(command)) {
      commands.push({ command, script: command, workspace });
    } else {
      commands.push({ command, script: NPM_COMMANDS.has(command) ? undefined : command, workspace });
    }
  }
  return commands;
}

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  workspaces?: string[];
}

const manifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest;

/** The scripts of the root package and of each workspace, by every name `-w` accepts (folder or package name). */
export function scriptsByWorkspace(): { root: Set<string>; workspaces: Map<string, Set<string>> } {
  const root = manifest('.');
  const workspaces = new Map<string, Set<string>>();
  for (const dir of root.workspaces ?? []) {
    const workspace = manifest(dir);
    const scripts = new Set(Object.keys(workspace.scripts ?? {}));
    workspaces.set(dir, scripts);
    workspaces.set(workspace.name, scripts);
  }
  return { root: new Set(Object.keys(root.scripts ?? {})), workspaces };
}
