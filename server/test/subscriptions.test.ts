/** Subscriptions over graphql-ws and SSE, fed through Redis PubSub, filtered on the server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, subscribeOverSse, waitFor, type TestServer } from '../../test/support/index.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('subs', { STATS_INTERVAL_MS: '100' });
});
afterAll(() => server?.close());

const create = (customerId: string, sku = 'SKU-0010') =>
  server.graphql<{ createOrder: { orderNumber: string } }>(
    `mutation($input: CreateOrderInput!) { createOrder(input: $input) { orderNumber } }`,
    { input: { customerId, sku, quantity: 1 } },
  );

describe('orderCreated over graphql-ws', () => {
  it('delivers only the orders of the customer asked for', async () => {
    const client = server.wsClient();
    const mine = collect<{ orderCreated: { orderNumber: string; customerId: string } }>(
      client,
      `subscription { orderCreated(customerId: "cus_0011") { orderNumber customerId customer { name } } }`,
    );
    const all = collect<{ orderCreated: { orderNumber: string } }>(
      client,
      `subscription { orderCreated { orderNumber } }`,
    );
    // The subscription is live once a probe order arrives on the unfiltered one.
    await waitFor('the subscriptions to be live', async () => {
      await create('cus_0012');
      return all.received.length > 0;
    });
    const wanted = (await create('cus_0011')).data!.createOrder.orderNumber;
    await create('cus_0012');
    await waitFor('both orders on the unfiltered subscription', () =>
      all.received.some((m) => m.orderCreated.orderNumber === wanted),
    );
    await waitFor('the wanted order on the filtered subscription', () => mine.received.length > 0);
    expect(mine.received.map((m) => m.orderCreated.orderNumber)).toEqual([wanted]);
    expect(mine.errors).toEqual([]);
    mine.unsubscribe();
    all.unsubscribe();
  });
});

describe('orderCreated over SSE', () => {
  it('streams new orders as server-sent events', async () => {
    const { response, stop } = await subscribeOverSse(
      `${server.app.url}/graphql`,
      'subscription { orderCreated(customerId: "cus_0013") { orderNumber } }',
      await server.token('operator'),
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    let orderNumber = '';
    await waitFor(
      'an order on the SSE stream',
      async () => {
        orderNumber = (await create('cus_0013')).data!.createOrder.orderNumber;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<{ value?: undefined }>((resolve) => setTimeout(() => resolve({}), 500)),
        ]);
        if (chunk.value) text += new TextDecoder().decode(chunk.value);
        return text.includes('"orderCreated"');
      },
      10_000,
    );
    stop();
    expect(text).toMatch(/event: next\ndata: \{"data":\{"orderCreated":\{"orderNumber":"ORD-/);
    expect(orderNumber).toMatch(/^ORD-/);
  });
});

describe('orderStats subscription', () => {
  it('sends the figures at once, then fresh ones when orders change', async () => {
    const client = server.wsClient();
    const stats = collect<{ orderStats: { total: number; pending: number } }>(
      client,
      `subscription { orderStats { total pending processed failed successRate perMinute { at created } } }`,
    );
    await waitFor('the first figures', () => stats.received.length > 0);
    const first = stats.received[0]!.orderStats.total;
    await create('cus_0014');
    await waitFor('figures that count the new order', () =>
      stats.received.some((s) => s.orderStats.total === first + 1),
    );
    stats.unsubscribe();
  });
});

describe('GraphiQL', () => {
  it('is served to a browser at the GraphQL path, with subscriptions over SSE and a place for the token', async () => {
    const response = await fetch(`${server.app.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('Orders GraphQL API');
    expect(html).toMatch(/"subscriptionsProtocol":"SSE"/);
    expect(html).toContain('Authorization');
  });
});
