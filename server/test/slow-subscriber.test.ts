/**
 * A subscriber that stops reading: the server does not hold its events in memory
 * without end. Once its connection falls `SUBSCRIBER_MAX_PENDING_BYTES` behind, it is
 * closed with 1013 (Try Again Later), while the other subscribers of the same
 * events receive every one of them.
 */
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsFor, type OrderStatusMessage } from '@orders/core';
import { collect, decisionMessage, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

let server: TestServer;
let redis: Redis;

beforeAll(async () => {
  server = await startTestServer('slow', {
    SUBSCRIBER_MAX_PENDING_BYTES: String(256 * 1024),
    SUBSCRIBER_MAX_PENDING_EVENTS: '100000',
  });
  redis = new Redis(server.config.redis.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

const CHANGES = 'subscription { orderStatusChanged { status error order { orderNumber } } }';

/** A FAILED decision with a long error, so that each frame is about 4 KB. */
const failed = (orderNumber: string, index: number): OrderStatusMessage =>
  decisionMessage({ index, orderNumber, error: `payment declined: ${'x'.repeat(4000)}` });

describe('a subscriber that stops reading', () => {
  it('is closed with 1013 once it falls too far behind, and the others receive every event', async () => {
    const channel = channelsFor(server.config.namePrefix).status;
    const publish = async (messages: OrderStatusMessage[]) => {
      const pipeline = redis.pipeline();
      for (const message of messages) pipeline.publish(channel, JSON.stringify(message));
      await pipeline.exec();
    };

    const reader = collect<{ orderStatusChanged: { order: { orderNumber: string } } }>(server.wsClient(), CHANGES);
    const slow = new WebSocket(`${server.app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const slowReceived: string[] = [];
    const slowClosed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    slow.on('message', (data) => {
      const text = String(data);
      if (text.includes('"connection_ack"')) {
        slow.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: CHANGES } }));
      } else if (text.includes('"next"')) slowReceived.push(text);
    });
    const token = await server.token('operator');
    slow.once('open', () =>
      slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );

    let probes = 0;
    await waitFor('both subscriptions to be live', async () => {
      await publish([failed(`ORD-PROBE-${probes}`, probes++)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return reader.received.length > 0 && slowReceived.length > 0;
    });

    // The slow client stops reading; 4,000 events of 4 KB are far more than the socket buffers hold.
    // They go out 250 at a time, each lot once the reading subscriber has the one before: a burst
    // would outgrow what Redis buffers for the server's own subscription (and Redis would drop it).
    slow.pause();
    const total = 4000;
    const flooded = () =>
      reader.received.filter((data) => data.orderStatusChanged.order.orderNumber.startsWith('ORD-FLOOD-')).length;
    for (let start = 0; start < total; start += 250) {
      await publish(Array.from({ length: 250 }, (_, i) => failed(`ORD-FLOOD-${start + i}`, 1000 + start + i)));
      await waitFor(`the reading subscriber to receive ${start + 250} events`, () => flooded() === start + 250);
    }

    // Reading again, the slow client finds what was sent before the server gave up on it, then the close.
    slow.resume();
    const closed = await slowClosed;
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/^Try Again Later: \d+ events, \d+ bytes not yet read; resume with the last cursor$/);
    // Counted for the operator: websocket_slow_consumers_closed_total in the server's /metrics.
    const metrics = await (await fetch(`${server.app.url}/metrics`)).text();
    expect(metrics).toMatch(/^websocket_slow_consumers_closed_total\{transport="graphql-ws"\} 1$/m);
    const slowFlooded = slowReceived.filter((text) => text.includes('ORD-FLOOD-')).length;
    expect(slowFlooded).toBeGreaterThan(0);
    expect(slowFlooded).toBeLessThan(total);
    expect(reader.errors).toEqual([]);

    // The server serves on.
    const stats = await server.graphql<{ orderStats: { total: number } }>('{ orderStats { total } }');
    expect(stats.errors).toBeUndefined();
    reader.unsubscribe();
  }, 120_000);
});
