import { describe, expect, it } from 'vitest';
import { fencedLines, inlineCode, markdownFiles, readLines } from './markdown.ts';
import { npmCommands, scriptsByWorkspace } from './npm-commands.ts';

const SHELL = new Set(['sh', 'bash', 'shell', 'console', '']);

describe('reading npm commands from a line of shell', () => {
  it('finds scripts, lifecycle scripts, workspaces and npm commands of its own', () => {
    expect(npmCommands('npm install && npm start   # runs the whole system')).toEqual([
      { command: 'install', script: undefined, workspace: undefined },
      { command: 'start', script: 'start', workspace: undefined },
    ]);
    expect(npmCommands('TOKEN=$(npm run -s token -- --role customer --customer cus_0001)')).toEqual([
      { command: 'run', script: 'token', workspace: undefined },
    ]);
    expect(npmCommands('npm run dev -w web')).toEqual([{ command: 'run', script: 'dev', workspace: 'web' }]);
    expect(npmCommands('npm run bench -- -w not-a-workspace')).toEqual([
      { command: 'run', script: 'bench', workspace: undefined },
    ]);
    expect(npmCommands('npm frobnicate')).toEqual([
      { command: 'frobnicate', script: 'frobnicate', workspace: undefined },
    ]);
    expect(npmCommands('npx vitest run --project node')).toEqual([]);
  });
});

describe('the npm commands the Markdown files give', () => {
  it('each name a script of the root package, or of the workspace they name', () => {
    const { root, workspaces } = scriptsByWorkspace();
    const wrong: string[] = [];
    for (const file of markdownFiles()) {
      const lines = readLines(file);
      const code = [
        ...fencedLines(lines).filter((line) => SHELL.has(line.language ?? '')),
        ...inlineCode(lines).filter((span) => /^(\S+=\S+\s+)*npm\s/.test(span.text)),
      ];
      for (const { line, text } of code) {
        for (const { script, workspace } of npmCommands(text)) {
          if (script === undefined) continue;
          const scripts = workspace === undefined ? root : workspaces.get(workspace);
          if (scripts === undefined) wrong.push(`${file}:${line}: no workspace "${workspace}" (${text.trim()})`);
          else if (!scripts.has(script)) {
            wrong.push(`${file}:${line}: no script "${script}" in ${workspace ?? 'the root package'} (${text.trim()})`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('are found at all: the README gives the two commands', () => {
    const lines = readLines('README.md');
    const scripts = fencedLines(lines).flatMap(({ text }) => npmCommands(text).map((command) => command.script));
    expect(scripts).toEqual(expect.arrayContaining(['start', 'test']));
  });
});
