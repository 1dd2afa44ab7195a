/**
 * A pipelineHealth subscriber that stops reading: its own queue is bounded, and once over it that
 * subscriber alone is ended with SLOW_CONSUMER. Before, its queue threw an overflow nobody caught,
 * which ended the process; here the sampler and the other subscribers go on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type OrderStatusMessage } from '@orders/core';
import { PipelineMonitor, type PipelineHealth } from './pipeline-monitor.ts';

const monitors: PipelineMonitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((monitor) => monitor.stop()));
});

describe('a pipelineHealth subscriber that stops reading', () => {
  it('is ended alone with SLOW_CONSUMER while the others keep receiving samples', async () => {
    const monitor = new PipelineMonitor({
      groupId: 'order-processor',
      readGroup: async () => ({ partitions: [], totalLag: 0, members: 1, state: 'Stable' }),
      statusChanges: () => (async function* (): AsyncGenerator<OrderStatusMessage> {})(),
      logger: createLogger('pipeline-test', 'error'),
      intervalMs: 1,
      maxPending: 5,
    });
    monitors.push(monitor);
    monitor.start();
    const stalled = monitor.subscribe();
    const reading = monitor.subscribe();

    const taken: PipelineHealth[] = [];
    for await (const health of reading) {
      taken.push(health);
      if (taken.length === 30) break;
    }
    expect(taken).toHaveLength(30);

    // What it held was dropped with it: it reads the reason it was ended, then the end.
    await expect(stalled.next()).rejects.toMatchObject({
      message: 'the subscriber fell too far behind (5 events not yet read) and was closed; resume with the last cursor',
      extensions: { code: 'SLOW_CONSUMER' },
    });
    expect(await stalled.next()).toEqual({ done: true, value: undefined });
    // A new subscriber still gets samples: the sampler was not stopped by the one that fell behind.
    const later = monitor.subscribe();
    expect((await later.next()).done).toBe(false);
    await later.return?.();
  });
});
