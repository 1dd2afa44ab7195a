/**
 * An orderStats subscriber that stops reading: once over its bound it alone is ended with
 * SLOW_CONSUMER. Before, its queue's overflow broke the broadcast loop, and every subscriber after it
 * stopped receiving updates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, ORDER_STATUSES, type OrderIndex } from '@orders/core';
import type { OrderEvents } from '../pubsub/order-events.ts';
import { StatsBroadcaster } from './stats-broadcaster.ts';
import type { OrderStats } from './order-stats.ts';

const broadcasters: StatsBroadcaster[] = [];
afterEach(async () => {
  await Promise.all(broadcasters.splice(0).map((broadcaster) => broadcaster.stop()));
});

/** A change every millisecond, for ever (until returned). */
async function* changes(): AsyncGenerator<never> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield undefined as never;
  }
}

describe('an orderStats subscriber that stops reading', () => {
  it('is ended alone with SLOW_CONSUMER while the subscribers after it keep receiving updates', async () => {
    let reads = 0;
    const index = {
      statistics: async () => {
        reads += 1;
        return { counts: Object.fromEntries(ORDER_STATUSES.map((status) => [status, reads])), perMinute: [] };
      },
    } as unknown as OrderIndex;
    const events = { created: changes, statusChanges: changes } as unknown as OrderEvents;
    const broadcaster = new StatsBroadcaster(index, events, createLogger('stats-test', 'error'), 2, 5);
    broadcasters.push(broadcaster);
    broadcaster.start();

    const stalled = broadcaster.subscribe();
    const reading = broadcaster.subscribe();
    const taken: OrderStats[] = [];
    for await (const stats of reading) {
      taken.push(stats);
      if (taken.length === 20) break;
    }
    expect(taken).toHaveLength(20);
    expect(taken.at(-1)!.total).toBeGreaterThan(taken[0]!.total);
    await expect(stalled.next()).rejects.toMatchObject({ extensions: { code: 'SLOW_CONSUMER' } });
  });
});
