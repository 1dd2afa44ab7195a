import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageOf, summarizeProfile } from './summarize.ts';

describe('packageOf', () => {
  it('names the npm package, scoped or not, Node itself, or the project folder a script lives in', () => {
    const expected: [url: string, name: string][] = [
      ['file:///repo/node_modules/kafkajs/src/producer/index.js', 'kafkajs'],
      ['file:///repo/node_modules/@graphql-tools/executor/cjs/x.js', '@graphql-tools/executor'],
      ['node:internal/streams/writable', 'node'],
      ['file:///repo/server/src/orders/create-order.ts', 'project:server'],
      ['', '(native)'],
    ];
    expect(expected.map(([url]) => [url, packageOf(url)])).toEqual(expected);
  });
});

describe('summarizeProfile', () => {
  it('shares the sampled time among functions and packages, idle apart', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('send', 'file:///r/node_modules/kafkajs/a.js') },
        { id: 3, callFrame: frame('createOrder', 'file:///r/server/src/orders/create-order.ts') },
        { id: 4, callFrame: frame('writeBuffer', '') },
      ],
      startTime: 0,
      endTime: 1_000_000,
      samples: [1, 2, 2, 3, 4],
      timeDeltas: [400_000, 250_000, 150_000, 100_000, 100_000],
    };
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'profile-test-')), 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const summary = summarizeProfile(file);
    expect(summary.seconds).toBe(1);
    expect(summary.idlePercent).toBe(40);
    expect(summary.topPackages).toEqual([
      { name: 'kafkajs', percent: 40 },
      { name: 'project:server', percent: 10 },
      { name: '(native)', percent: 10 },
    ]);
    expect(summary.topFunctions).toEqual([
      { name: 'send kafkajs/a.js:1', percent: 40 },
      { name: 'createOrder orders/create-order.ts:1', percent: 10 },
      { name: 'writeBuffer', percent: 10 },
    ]);
  });
});
