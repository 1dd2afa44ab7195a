/**
 * The repository's Markdown files, read for the documentation tests: where they are, their lines,
 * their code (fenced blocks with their language, and inline code spans) and their tables.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders that hold no documentation of the project: installed packages, build output, run data. */
const SKIPPED = new Set(['node_modules', '.git', '.data', 'dist', 'test-results', 'coverage', 'target']);

/** Every Markdown file of the repository, as paths relative to its root, sorted. */
export function markdownFiles(dir = repoRoot): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...markdownFiles(full));
    else if (entry.name.endsWith('.md')) found.push(path.relative(repoRoot, full));
  }
  return found.sort();
}

export const readLines = (file: string): string[] => readFileSync(path.join(repoRoot, file), 'utf8').split('\n');

/** A table row: the line, trimmed, starts with a pipe. */
export const isTableRow = (line: string): boolean => line.trimStart().startsWith('|');

export interface CodeLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** The fence's language for a line of a fenced block (`''` when it names none); undefined for inline code. */
  language?: string;
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w-]*)/;

/** The lines of every fenced code block, with the block's language. */
export function fencedLines(lines: string[]): CodeLine[] {
  const code: CodeLine[] = [];
  let open: { marker: string; language: string } | undefined;
  lines.forEach((text, index) => {
    const fence = FENCE.exec(text);
    if (open === undefined && fence) open = { marker: fence[1]!, language: fence[2] ?? '' };
    else if (open !== undefined && fence && fence[1]!.startsWith(open.marker) && fence[2] === '') open = undefined;
    else if (open !== undefined) code.push({ line: index + 1, text, language: open.language });
  });
  return code;
}

/** The inline code spans of the lines outside fenced blocks. */
export function inlineCode(lines: string[]): CodeLine[] {
  const fenced = new Set(fencedLines(lines).map((code) => code.line));
  const spans: CodeLine[] = [];
  lines.forEach((text, index) => {
    if (fenced.has(index + 1) || FENCE.test(text)) return;
    for (const match of text.matchAll(/`([^`]+)`/g)) spans.push({ line: index + 1, text: match[1]! });
  });
  return spans;
}

/** The first cell of every table row but header separators, trimmed. */
export function firstCells(lines: string[]): string[] {
  return lines
    .filter(isTableRow)
    .map((line) => line.trim().split('|')[1]?.trim() ?? '')
    .filter((cell) => !/^:?-+:?$/.test(cell));
}
