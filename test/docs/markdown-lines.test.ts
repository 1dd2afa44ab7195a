import { describe, expect, it } from 'vitest';
import { isTableRow, markdownFiles, readLines } from './markdown.ts';

const LONGEST_LINE = 200;
const README_LINES = 250;

/** Reports that `npm run bench` writes: their shape belongs to the report writer, not to a person. */
const GENERATED = /^bench\/results\//;

describe('the Markdown files', () => {
  it(`have no line over ${LONGEST_LINE} characters but table rows`, () => {
    const long = markdownFiles()
      .filter((file) => !GENERATED.test(file))
      .flatMap((file) =>
        readLines(file).flatMap((line, index) =>
          line.length > LONGEST_LINE && !isTableRow(line) ? [`${file}:${index + 1} (${line.length})`] : [],
        ),
      );
    expect(long).toEqual([]);
  });

  it(`include a README of fewer than ${README_LINES} lines`, () => {
    const lines = readLines('README.md');
    if (lines.at(-1) === '') lines.pop();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(README_LINES);
  });

  it('are found where the documentation lives', () => {
    expect(markdownFiles()).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'bench/README.md']));
  });
});
