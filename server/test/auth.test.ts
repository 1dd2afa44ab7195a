/** Who may do what: tokens, the operator and customer roles, customer-scoped data and subscriptions, rate limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicsFor } from '@orders/core';
import { collect, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

let server: TestServer;
let alice: string; // cus_0001
let bob: string; // cus_0002
const ids: Record<string, string> = {};

const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id customerId } }`;
type Created = { createOrder: { id: string; customerId: string } };

beforeAll(async () => {
  server = await startTestServer('auth', { CREATE_ORDER_RATE: '1', CREATE_ORDER_BURST: '3' });
  alice = await server.token('customer', 'cus_0001');
  bob = await server.token('customer', 'cus_0002');
  // As an operator: one order for each customer.
  for (const customerId of ['cus_0001', 'cus_0002']) {
    const created = await server.graphql<Created>(CREATE, { input: { customerId, sku: 'SKU-0003', quantity: 1 } });
    ids[customerId] = created.data!.createOrder.id;
  }
});
afterAll(() => server?.close());

describe('without a token', () => {
  it('refuses operations with UNAUTHENTICATED and HTTP 401, and says how to sign in', async () => {
    const response = await fetch(`${server.app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ orders { totalCount } }' }),
    });
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: object }[] };
    expect(response.status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.errors[0]!.message).toMatch(/Authorization: Bearer/);
  });

  it('still answers /health, /ready, the GraphiQL page and schema introspection', async () => {
    expect((await fetch(`${server.app.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.app.url}/ready`)).status).toBe(200);
    const page = await fetch(`${server.app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
    const introspection = await server.graphql<{ __schema: { queryType: { name: string } } }>(
      '{ __schema { queryType { name } } }',
      {},
      null,
    );
    expect(introspection.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses a malformed, forged or expired token with UNAUTHENTICATED and the reason', async () => {
    const [, payload] = alice.split('.');
    const forged = `${alice.split('.')[0]}.${payload}.${'A'.repeat(43)}`;
    const expired = await server.token('customer', 'cus_0001', -10);
    for (const [token, reason] of [
      ['not-a-jwt', /not valid/],
      [forged, /not valid/],
      [expired, /expired/],
    ] as const) {
      const result = await server.graphql('{ products { sku } }', {}, token);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.errors?.[0]?.message).toMatch(reason);
    }
  });
});

describe('a customer token', () => {
  it('lists only its own orders, with a count of its own', async () => {
    const result = await server.graphql<{ orders: { totalCount: number; edges: { node: { customerId: string } }[] } }>(
      '{ orders(first: 50) { totalCount edges { node { customerId } } } }',
      {},
      alice,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.orders.totalCount).toBeGreaterThan(0);
    expect(new Set(result.data!.orders.edges.map((edge) => edge.node.customerId))).toEqual(new Set(['cus_0001']));

    const bobs = await server.graphql<{ orders: { edges: { node: { id: string; customerId: string } }[] } }>(
      '{ orders(first: 50) { edges { node { id customerId } } } }',
      {},
      bob,
    );
    expect(bobs.data!.orders.edges.map((edge) => edge.node.id)).toEqual([ids.cus_0002]);
  });

  it('is FORBIDDEN to ask for another customer’s orders, and finds another’s order by id as missing', async () => {
    const listed = await server.graphql('{ orders(customerId: "cus_0002") { totalCount } }', {}, alice);
    expect(listed.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'customerId' });

    const other = ids.cus_0002!;
    const found = await server.graphql<{ order: null; node: null }>(
      'query($id: ID!) { order(id: $id) { id } node(id: $id) { id } }',
      { id: other },
      alice,
    );
    expect(found.errors).toBeUndefined();
    expect(found.data).toEqual({ order: null, node: null });
    const own = await server.graphql<{ order: { id: string } }>(
      'query($id: ID!) { order(id: $id) { id } }',
      { id: ids.cus_0001! },
      alice,
    );
    expect(own.data?.order.id).toBe(ids.cus_0001);
  });

  it('creates orders for itself only; another customer’s is FORBIDDEN and writes nothing', async () => {
    const created = topicsFor(server.config.namePrefix).created.name;
    const [orders, messages] = [await server.models.Order.countDocuments(), await server.messageCount(created)];
    const refused = await server.graphql(
      CREATE,
      { input: { customerId: 'cus_0002', sku: 'SKU-0003', quantity: 1 } },
      alice,
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'customerId' });
    expect(await server.models.Order.countDocuments()).toBe(orders);
    expect(await server.messageCount(created)).toBe(messages);

    const own = await server.graphql<Created>(
      CREATE,
      { input: { customerId: 'cus_0001', sku: 'SKU-0003', quantity: 1 } },
      alice,
    );
    expect(own.data?.createOrder.customerId).toBe('cus_0001');
  });

  it('is FORBIDDEN what only operators do: retry, statistics, the customer list', async () => {
    for (const [query, variables] of [
      ['mutation($id: ID!) { retryOrder(id: $id) { id } }', { id: ids.cus_0001 }],
      ['{ orderStats { total } }', {}],
      ['{ customers { id } }', {}],
    ] as const) {
      const result = await server.graphql(query, variables, alice);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toMatch(/only an operator may/);
    }
    const products = await server.graphql<{ products: unknown[] }>('{ products { sku } }', {}, alice);
    expect(products.data?.products.length).toBeGreaterThan(0);
  });

  it('receives only its own new orders on a subscription without customerId, and another’s order is not found', async () => {
    const client = server.wsClient(alice);
    const mine = collect<{ orderCreated: { customerId: string } }>(
      client,
      'subscription { orderCreated { customerId } }',
    );
    const foreign = collect(client, 'subscription($id: ID!) { orderUpdated(id: $id) { id } }', { id: ids.cus_0002 });
    await waitFor('the subscription to be refused', async () => foreign.errors.length > 0);
    expect(JSON.stringify(foreign.errors)).toMatch(/NOT_FOUND|no order with id/);

    // Orders for both customers, each made with its own token (the operator's bucket is this
    // server's small test limit, spent elsewhere), until one of alice's arrives.
    await waitFor('alice’s order on her subscription', async () => {
      for (const [customerId, token] of [
        ['cus_0002', bob],
        ['cus_0001', alice],
      ] as const) {
        await server.graphql(CREATE, { input: { customerId, sku: 'SKU-0004', quantity: 1 } }, token);
      }
      return mine.received.length > 0;
    });
    expect(mine.received.every((event) => event.orderCreated.customerId === 'cus_0001')).toBe(true);
    expect(mine.errors).toEqual([]);
    mine.unsubscribe();
  });
});

describe('the createOrder rate limit', () => {
  it('refuses a token past its burst with RATE_LIMITED and when to retry, and leaves other tokens alone', async () => {
    const carol = await server.token('customer', 'cus_0003');
    const input = { customerId: 'cus_0003', sku: 'SKU-0005', quantity: 1 };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await server.graphql(CREATE, { input }, carol));
    const limited = answers.filter((answer) => answer.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.errors![0]!.extensions).toMatchObject({ retryAfterMs: expect.any(Number) });
    expect(limited[0]!.errors![0]!.message).toMatch(/at most 1 a second/);

    const dave = await server.token('customer', 'cus_0004');
    const other = await server.graphql<Created>(CREATE, { input: { ...input, customerId: 'cus_0004' } }, dave);
    expect(other.data?.createOrder.customerId).toBe('cus_0004');
  });
});

describe('over graphql-ws', () => {
  it('closes the connection with 4403 when the token expires, and refuses a bad token at once', async () => {
    const closes: number[] = [];
    const short = await server.token('customer', 'cus_0001', 2);
    for (const token of [short, 'not-a-jwt']) {
      const client = server.wsClient(token);
      client.on('closed', (event) => closes.push((event as { code: number }).code));
      collect(client, 'subscription { orderCreated { id } }');
    }
    await waitFor(
      'both connections closed with 4403',
      async () => closes.filter((code) => code === 4403).length >= 2,
      10_000,
    );
  });
});

describe('in production', () => {
  it('turns introspection and GraphiQL off and hands out no development token', async () => {
    const production = await startTestServer('auth_production', {
      NODE_ENV: 'production',
      AUTH_SECRET: 'a-production-secret-of-at-least-32-characters',
    });
    try {
      const introspection = await production.graphql('{ __schema { queryType { name } } }');
      expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
      const page = await fetch(`${production.app.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');
      expect((await fetch(`${production.app.url}/auth/dev-token`)).status).toBe(404);
      const products = await production.graphql<{ products: unknown[] }>('{ products { sku } }');
      expect(products.data?.products.length).toBe(24);
    } finally {
      await production.close();
    }
  });

  it('refuses to start without AUTH_SECRET, saying which setting is missing', async () => {
    await expect(startTestServer('auth_no_secret', { NODE_ENV: 'production' })).rejects.toThrow(
      /AUTH_SECRET: must be set when NODE_ENV is production/,
    );
  });
});
