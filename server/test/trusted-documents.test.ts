/**
 * Trusted documents: the dashboard's persisted operations run by id; a role named in
 * PERSISTED_OPERATIONS_ONLY runs nothing else, over HTTP and graphql-ws alike; other roles, and every
 * role on a server that restricts none, keep arbitrary operations.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

const documents = JSON.parse(
  readFileSync(new URL('../../web/src/gql/persisted-documents.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const idOf = (operationName: string) =>
  Object.entries(documents).find(([, text]) => text.includes(` ${operationName}`))![0];

let restricting: TestServer;

beforeAll(async () => {
  restricting = await startTestServer('trusted_docs', { PERSISTED_OPERATIONS_ONLY: 'customer' });
});
afterAll(() => restricting?.close());

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(server: TestServer, token: string, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${server.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Answer;
}

const byId = (id: string, variables?: Record<string, unknown>) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: id } },
});
const createFor = (customerId: string) => ({ input: { customerId, sku: 'SKU-0001', quantity: 1 } });
const arbitraryCreate = 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status } }';

describe('a role that may run persisted operations only', () => {
  it('runs a persisted operation sent by its id', async () => {
    const token = await restricting.token('customer', 'cus_0001');
    const answer = await post(
      restricting,
      token,
      byId(idOf('BulkGenerator_CreateOrderMutation'), createFor('cus_0001')),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.createOrder).toMatchObject({ id: expect.any(String) });
  });

  it('runs a persisted query sent by its id in a GET request, as the dashboard sends its queries', async () => {
    const token = await restricting.token('customer', 'cus_0001');
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: idOf('OrderTable_OrdersQuery') } });
    const variables = JSON.stringify({ first: 5 });
    const query = `operationName=OrderTable_OrdersQuery&variables=${encodeURIComponent(variables)}&extensions=${encodeURIComponent(extensions)}`;
    const response = await fetch(`${restricting.app.url}/graphql?${query}`, {
      headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': 'dashboard' },
    });
    const answer = (await response.json()) as Answer;
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.orders).toMatchObject({ edges: expect.any(Array) });
  });

  it('is refused an operation sent as text, with PERSISTED_QUERY_ONLY, and nothing is written', async () => {
    const token = await restricting.token('customer', 'cus_0001');
    const before = await restricting.models.Order.countDocuments();
    const answer = await post(restricting, token, { query: arbitraryCreate, variables: createFor('cus_0001') });
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect(answer.errors?.[0]?.message).toMatch(/persisted operations only/);
    expect(await restricting.models.Order.countDocuments()).toBe(before);
  });

  it('is refused a subscription over graphql-ws that is no persisted document, and given one that is', async () => {
    const client = restricting.wsClient(await restricting.token('customer', 'cus_0001'));
    const arbitrary = collect(client, 'subscription { orderStatusChanged { status version } }');
    await waitFor('the refusal', () => arbitrary.errors.length > 0, 10_000);
    expect(arbitrary.errors[0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_ONLY' } });

    // The dashboard's own subscription, laid out differently: the same document.
    const text = documents[idOf('OrderTable_OrderStatusChangedSubscription')]!.replaceAll(' { ', ' {\n  ');
    const persisted = collect(client, text);
    // A refusal comes at once (the one above did); a second later, none has.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(persisted.errors).toEqual([]);
    arbitrary.unsubscribe();
    persisted.unsubscribe();
  });
});

describe('a role the operator did not restrict', () => {
  it('still runs an operation sent as text', async () => {
    const answer = await post(restricting, await restricting.token('operator'), {
      query: arbitraryCreate,
      variables: createFor('cus_0002'),
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.createOrder).toMatchObject({ status: 'PENDING' });
  });

  it('runs a persisted operation by its id too', async () => {
    const answer = await post(
      restricting,
      await restricting.token('operator'),
      byId(idOf('BulkGenerator_CatalogueQuery')),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.products).toHaveLength(24);
  });
});

describe('an id the server does not know', () => {
  it('is refused with PERSISTED_QUERY_NOT_FOUND, in the words clients of persisted queries act on', async () => {
    const answer = await post(
      restricting,
      await restricting.token('customer', 'cus_0001'),
      byId(`sha256:${'0'.repeat(64)}`),
    );
    expect(answer.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
  });
});

describe('a server that restricts no role (the default)', () => {
  it('runs a customer’s operation sent as text', async () => {
    const open = await startTestServer('trusted_docs_open');
    try {
      const answer = await post(open, await open.token('customer', 'cus_0001'), {
        query: arbitraryCreate,
        variables: createFor('cus_0001'),
      });
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.createOrder).toMatchObject({ status: 'PENDING' });
    } finally {
      await open.close();
    }
  });
});
