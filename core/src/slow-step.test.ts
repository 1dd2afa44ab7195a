import { describe, expect, it } from 'vitest';
import type { Logger } from './log.ts';
import { warnIfSlow, within } from './slow-step.ts';

/** A logger that keeps its warnings. */
function recording() {
  const warnings: unknown[][] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (...args: unknown[]) => void warnings.push(args) };
  return { logger: { ...logger, child: () => logger } as unknown as Logger, warnings };
}

const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('warnIfSlow', () => {
  it('says once what it still waits for when the step outlasts the limit, and passes its result on', async () => {
    const { logger, warnings } = recording();
    const result = await warnIfSlow(
      logger,
      'Redis to quit',
      after(60).then(() => 'done'),
      10,
    );
    expect(result).toBe('done');
    expect(warnings).toEqual([['still waiting', { waitingFor: 'Redis to quit', afterMs: 10 }]]);
  });

  it('says nothing of a quick step, nor after it, and passes its failure on', async () => {
    const { logger, warnings } = recording();
    await expect(warnIfSlow(logger, 'MongoDB to close', Promise.reject(new Error('gone')), 20)).rejects.toThrow('gone');
    await after(40);
    expect(warnings).toEqual([]);
  });
});

describe('within', () => {
  it("gives the step's result when it settles in time", async () => {
    await expect(
      within(
        after(5).then(() => 'read'),
        200,
        () => new Error('late'),
      ),
    ).resolves.toBe('read');
  });

  it('rejects with the error it is given once the step outlasts the limit', async () => {
    await expect(within(after(200), 10, () => new Error('no answer in 10 ms'))).rejects.toThrow('no answer in 10 ms');
  });
});
