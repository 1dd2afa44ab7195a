/**
 * Hostile and careless operations: each limit refuses with its own code and a message that names it,
 * `nodes(ids:)` is capped and each of its ids counted by the cost limit, malformed ids are the
 * client's error, empty pages are coherent, and createOrder's rate is kept per subject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { startTestServer, type TestServer } from '../../test/support/index.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('op_limits', {
    NODES_MAX_IDS: '100',
    CREATE_ORDER_RATE: '1',
    CREATE_ORDER_BURST: '2',
  });
});
afterAll(() => server?.close());

interface Refusal {
  message: string;
  extensions?: { code?: string; max?: number };
}

const firstError = async (query: string, variables?: Record<string, unknown>, token?: string) =>
  (await server.graphql(query, variables, token)).errors?.[0] as Refusal | undefined;

const anOrderId = (n: number) => encodeGlobalID('Order', n.toString(16).padStart(24, '0'));
const ids = (count: number) => Array.from({ length: count }, (_, i) => anOrderId(i + 1));

describe('the limits on one operation', () => {
  it('refuses a query too deep with QUERY_TOO_DEEP and the limit, not as a syntax error', async () => {
    const error = await firstError(
      '{ orders { edges { node { history { order { history { order { history { order { id } } } } } } } } } }',
    );
    expect(error?.extensions?.code).toBe('QUERY_TOO_DEEP');
    expect(error?.message).toMatch(/^Query depth limit of 8 exceeded, found \d+\.$/);
  });

  it('refuses too many aliases with TOO_MANY_ALIASES', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: products { sku }`).join(' ')} }`;
    const error = await firstError(query);
    expect(error?.extensions?.code).toBe('TOO_MANY_ALIASES');
    expect(error?.message).toBe('Aliases limit of 15 exceeded, found 16.');
  });

  it('refuses too many directives with TOO_MANY_DIRECTIVES', async () => {
    const error = await firstError(`{ products { sku ${'@include(if: true) '.repeat(21)} } }`);
    expect(error?.extensions?.code).toBe('TOO_MANY_DIRECTIVES');
    expect(error?.message).toBe('Directives limit of 20 exceeded, found 21.');
  });

  it('refuses a document of too many tokens with TOO_MANY_TOKENS, before parsing the rest', async () => {
    const error = await firstError(`{ products { ${'sku '.repeat(2100)}} }`);
    expect(error?.extensions?.code).toBe('TOO_MANY_TOKENS');
    expect(error?.message).toBe('Token limit of 2000 exceeded.');
  });

  it('refuses a query too costly with QUERY_TOO_COSTLY and its cost', async () => {
    const error = await firstError(
      '{ orders(first: 100) { edges { node { id orderNumber status history { status at version error } product { sku name price stock } customer { id name } } } } }',
    );
    expect(error?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(error?.message).toMatch(/^Query Cost limit of 5000 exceeded, found \d+(\.\d+)?\.$/);
  });
});

describe('nodes(ids:)', () => {
  it('takes up to NODES_MAX_IDS ids', async () => {
    const answer = await server.graphql<{ nodes: unknown[] }>('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: ids(100),
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.nodes).toHaveLength(100);
  });

  it('refuses one id more, in a variable or written in the query, with TOO_MANY_IDS, before loading any', async () => {
    const inVariable = await firstError('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids(101) });
    expect(inVariable).toEqual({
      message: 'nodes(ids:) takes at most 100 ids, got 101',
      extensions: { code: 'TOO_MANY_IDS', max: 100 },
    });
    const written = await firstError(`{ nodes(ids: ${JSON.stringify(ids(101))}) { id } }`);
    expect(written?.extensions?.code).toBe('TOO_MANY_IDS');
  });

  it('counts each id by the cost limit: a selection cheap for one id is too costly for a hundred', async () => {
    const selection =
      '... on Order { orderNumber status history { status at version error previousStatus } customer { id name } product { sku name price stock } }';
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { id ${selection} } }`;
    expect((await server.graphql(query, { ids: ids(1) })).errors).toBeUndefined();
    const error = await firstError(query, { ids: ids(100) });
    expect(error?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(error?.message).toMatch(/^Query Cost limit of 5000 exceeded, found \d+/);
  });
});

describe('malformed ids', () => {
  it.each([
    ['node(id:) with garbage', '{ node(id: "garbage") { id } }'],
    ['node(id:) with another type', `{ node(id: "${encodeGlobalID('Product', 'SKU-0001')}") { id } }`],
    ['nodes(ids:) with one bad id among good ones', `{ nodes(ids: ["${anOrderId(1)}", "%%%"]) { id } }`],
  ])('answers %s with BAD_USER_INPUT and the id it could not read', async (_what, query) => {
    const answer = await server.graphql(query);
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors?.[0]?.message).toMatch(/must be the id of an Order as this API returns it, got/);
  });
});

describe('empty pages', () => {
  const page = `query($first: Int, $after: String) {
    orders(first: $first, after: $after) { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
  }`;
  type Page = {
    orders: {
      totalCount: number;
      edges: { cursor: string }[];
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
    };
  };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++)
      await server.app.services.createOrder({ customerId: 'cus_0002', sku: 'SKU-0003', quantity: 1 });
  });

  it('first: 0 gives the count and no next page behind a null cursor', async () => {
    const { data } = await server.graphql<Page>(page, { first: 0 });
    expect(data?.orders).toEqual({
      totalCount: 3,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('first: 0 after a cursor keeps that cursor, and says what follows it', async () => {
    const first = await server.graphql<Page>(page, { first: 1 });
    const cursor = first.data!.orders.pageInfo.endCursor!;
    expect(first.data?.orders.pageInfo.hasNextPage).toBe(true);
    const { data } = await server.graphql<Page>(page, { first: 0, after: cursor });
    expect(data?.orders.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: true,
      startCursor: cursor,
      endCursor: cursor,
    });
  });

  it('the page past the last order is empty, with no next page', async () => {
    const all = await server.graphql<Page>(page, { first: 3 });
    expect(all.data?.orders.pageInfo.hasNextPage).toBe(false);
    const { data } = await server.graphql<Page>(page, { first: 3, after: all.data!.orders.pageInfo.endCursor });
    expect(data?.orders.edges).toEqual([]);
    expect(data?.orders.pageInfo.hasNextPage).toBe(false);
  });
});

describe("createOrder's rate", () => {
  const create = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`;
  const input = (customerId: string) => ({ input: { customerId, sku: 'SKU-0004', quantity: 1 } });
  const codeOf = async (customerId: string, token: string) =>
    (await server.graphql(create, input(customerId), token)).errors?.[0]?.extensions?.code ?? 'OK';

  it('is kept per subject: two tokens of one customer share one bucket, another customer has its own', async () => {
    const [one, two, other] = await Promise.all([
      server.token('customer', 'cus_0005', 3600),
      server.token('customer', 'cus_0005', 1800),
      server.token('customer', 'cus_0006'),
    ]);
    expect(one).not.toBe(two);
    // A burst of 2 at 1 a second: of four orders sent at once, with either token, two are taken.
    const codes = await Promise.all([one, two, one, two].map((token) => codeOf('cus_0005', token)));
    expect(codes.sort()).toEqual(['OK', 'OK', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(await codeOf('cus_0006', other)).toBe('OK');
  });
});
