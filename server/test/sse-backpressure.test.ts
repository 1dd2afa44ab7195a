/**
 * SSE subscribers under the same policy as WebSocket ones: a stream whose client stops reading is
 * ended with SLOW_CONSUMER once it leaves SUBSCRIBER_MAX_PENDING_EVENTS unread, while a reading
 * subscriber gets every event; a customer's stalled stream is not filled by other customers' events
 * (its filter runs before anything is queued for it); a stream ends with TOKEN_EXPIRED when its token
 * does. The process counts no unhandled rejection throughout.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsFor, type OrderStatusMessage } from '@orders/core';
import {
  collect,
  openSse,
  decisionMessage,
  startTestServer,
  waitFor,
  type TestServer,
} from '../../test/support/index.ts';

let server: TestServer;
let redis: Redis;
const MAX_EVENTS = 50;

beforeAll(async () => {
  server = await startTestServer('sse-bounds', { SUBSCRIBER_MAX_PENDING_EVENTS: String(MAX_EVENTS) });
  redis = new Redis(server.config.redis.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

const CHANGES = 'subscription { orderStatusChanged { status error order { orderNumber customerId } } }';

/** A FAILED decision of `customerId`'s order, about 4 KB once serialised. */
const failed = (orderNumber: string, index: number, customerId = 'cus_0001'): OrderStatusMessage => {
  const message = decisionMessage({ index, orderNumber, error: `payment declined: ${'x'.repeat(4000)}` });
  return { ...message, order: { ...message.order, customerId } };
};

async function publish(messages: OrderStatusMessage[]): Promise<void> {
  const channel = channelsFor(server.config.namePrefix).status;
  const pipeline = redis.pipeline();
  for (const message of messages) pipeline.publish(channel, JSON.stringify(message));
  await pipeline.exec();
}

async function metrics(): Promise<string> {
  return (await fetch(`${server.app.url}/metrics`)).text();
}

type Change = { orderStatusChanged: { order: { orderNumber: string } } };

/** A graphql-ws subscriber that reads everything, live once it received a probe. */
async function liveReader(prefix: string) {
  const reader = collect<Change>(server.wsClient(), CHANGES);
  let probe = 0;
  await waitFor('the reading subscriber to be live', async () => {
    await publish([failed(`${prefix}-PROBE-${probe}`, 900_000 + probe++)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return reader.received.length > 0;
  });
  return reader;
}

describe('an SSE subscriber that stops reading', () => {
  it('is ended with SLOW_CONSUMER as its last event, the others receive every event, and nothing is left unhandled', async () => {
    const token = await server.token('operator');
    const stalled = await openSse(`${server.app.url}/graphql`, CHANGES, token);
    expect(stalled.status).toBe(200);
    const reader = await liveReader('SLOW');
    await waitFor('the SSE stream to be live', () => stalled.results().length > 0);

    stalled.pause();
    const total = 2000;
    const flooded = () =>
      reader.received.filter((d) => d.orderStatusChanged.order.orderNumber.startsWith('FLOOD-')).length;
    for (let start = 0; start < total; start += 250) {
      await publish(Array.from({ length: 250 }, (_, i) => failed(`FLOOD-${start + i}`, start + i)));
      await waitFor(`the reader to receive ${start + 250} events`, () => flooded() === start + 250);
    }
    await waitFor('the stalled stream to be counted as too slow', async () =>
      /^websocket_slow_consumers_closed_total\{transport="sse"\} 1$/m.test(await metrics()),
    );

    stalled.resume();
    await stalled.ended;
    const results = stalled.results();
    const last = results.at(-1)!;
    expect(last.data).toBeUndefined();
    expect(last.errors?.[0]?.extensions?.code).toBe('SLOW_CONSUMER');
    expect(last.errors?.[0]?.message).toMatch(
      /^the subscriber fell too far behind \(\d+ events, \d+ bytes not yet read\) and was closed; resume with the last cursor$/,
    );
    expect(stalled.events.at(-1)?.event).toBe('complete');
    // What it had before it stopped reading, fewer than all: the rest was never held for it.
    const delivered = results.filter((r) => r.data).length;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(total);
    expect(reader.errors).toEqual([]);
    expect(flooded()).toBe(total);

    const text = await metrics();
    expect(text).toMatch(/^graphql_subscriptions\{field="orderStatusChanged",transport="sse"\} 0$/m);
    expect(text).toMatch(/^process_unhandled_rejections_total 0$/m);
    reader.unsubscribe();
  }, 120_000);

  it("is not filled by other customers' events: a customer's filter runs before anything is queued for it", async () => {
    const customer = await server.token('customer', 'cus_0042');
    const stalled = await openSse(`${server.app.url}/graphql`, CHANGES, customer);
    const reader = await liveReader('MINE');
    await publish([failed('MINE-FIRST', 800_000, 'cus_0042')]);
    await waitFor('the customer stream to be live', () => stalled.results().length > 0);

    stalled.pause();
    // Twenty times its bound of events, none of them its own.
    const others = MAX_EVENTS * 20;
    for (let start = 0; start < others; start += 250) {
      await publish(
        Array.from({ length: 250 }, (_, i) => failed(`OTHER-${start + i}`, 10_000 + start + i, 'cus_0043')),
      );
    }
    await publish([failed('MINE-LAST', 800_001, 'cus_0042')]);
    await waitFor('the reader to receive every event', () =>
      reader.received.some((d) => d.orderStatusChanged.order.orderNumber === 'MINE-LAST'),
    );

    stalled.resume();
    await waitFor('the customer stream to receive its own last order', () =>
      stalled.results().some((r) => JSON.stringify(r).includes('MINE-LAST')),
    );
    const numbers = stalled.results().map((r) => (r.data as Change | undefined)?.orderStatusChanged.order.orderNumber);
    expect(numbers).toEqual(['MINE-FIRST', 'MINE-LAST']);
    expect(stalled.results().flatMap((r) => r.errors ?? [])).toEqual([]);
    stalled.close();
    reader.unsubscribe();
  }, 120_000);
});

describe('an SSE subscription whose token expires', () => {
  it('ends with a TOKEN_EXPIRED event at the expiry, then complete', async () => {
    const token = await server.token('customer', 'cus_0050', 3);
    const expiresAt = Date.now() + 3000;
    const stream = await openSse(`${server.app.url}/graphql`, CHANGES, token);
    expect(stream.status).toBe(200);
    await publish([failed('EXPIRING-1', 700_000, 'cus_0050')]);
    await waitFor('the stream to be live', () => stream.results().length > 0);

    await stream.ended;
    const endedAt = Date.now();
    // Honoured to the second: not before the token's expiry (its `exp` is in whole seconds), and at most a second after.
    expect(endedAt).toBeGreaterThan(expiresAt - 1000);
    expect(endedAt).toBeLessThan(expiresAt + 1500);
    const last = stream.results().at(-1)!;
    expect(last.errors?.[0]).toMatchObject({
      message: 'the token has expired; subscribe again with a fresh token',
      extensions: { code: 'TOKEN_EXPIRED' },
    });
    expect(stream.events.at(-1)?.event).toBe('complete');
    expect(await metrics()).toMatch(/^subscribers_token_expired_total\{transport="sse"\} 1$/m);
  }, 30_000);
});
