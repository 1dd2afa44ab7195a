import { describe, expect, it } from 'vitest';
import { SharedServersModel } from '@orders/core';
import { firstCells, readLines } from './markdown.ts';
import { settingsDocumented, settingsIn, settingsReadByCode } from './settings.ts';

const PAGE = 'docs/configuration.md';

describe('the source scan for settings', () => {
  it('finds the keys of a zod model and every way of reading process.env, and nothing else', () => {
    const source = `
      const Model = z.object({ PORT: intFromEnv(4000, 0, 65535), 'QUOTED_NAME': z.string(), camelCase: z.string() });
      const Other = z
        .object({ ...Model.shape, EXTRA_SETTING: z.string() })
        .refine(() => true);
      const a = process.env.DIRECT_READ ?? 'x';
      const b = process.env['INDEXED_READ'];
      const c = other.env.NOT_A_SETTING;
      const d = process
        .env.SPREAD_OVER_LINES;
    `;
    expect([...settingsIn(source)].sort()).toEqual([
      'DIRECT_READ',
      'EXTRA_SETTING',
      'INDEXED_READ',
      'PORT',
      'QUOTED_NAME',
      'SPREAD_OVER_LINES',
    ]);
  });

  it('finds every key of the shared servers model that core exports', () => {
    const read = settingsReadByCode();
    expect(Object.keys(SharedServersModel.shape).filter((name) => !read.has(name))).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  const documented = settingsDocumented(firstCells(readLines(PAGE)));
  const read = settingsReadByCode();

  it('documents every setting the code reads', () => {
    const missing = [...read.keys()].filter((name) => !documented.has(name));
    expect(
      missing.map((name) => `${name} (read in ${read.get(name)!.join(', ')})`),
      `add a row for each to ${PAGE}`,
    ).toEqual([]);
  });

  it('documents no setting that the code does not read', () => {
    const stale = [...documented].filter((name) => !read.has(name));
    expect(stale, `remove these rows from ${PAGE}, or read the setting in a config model`).toEqual([]);
  });
});
