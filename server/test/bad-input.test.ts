/**
 * Bad input, tried on purpose: each request gets a clear error, nothing leaks,
 * nothing is written to MongoDB or Kafka, and the server answers the next request.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topicsFor } from '@orders/core';
import { collect, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

let server: TestServer;
let token: string;
let before: { orders: number; messages: number };

beforeAll(async () => {
  server = await startTestServer('bad_input', { MAX_BODY_BYTES: '4096', WS_MAX_SUBSCRIPTIONS: '3' });
  token = await server.token('operator');
});
afterAll(() => server?.close());

const createdTopic = () => topicsFor(server.config.namePrefix).created.name;
const books = async () => ({
  orders: await server.models.Order.countDocuments(),
  messages: await server.messageCount(createdTopic()),
});

beforeEach(async () => {
  before = await books();
});

/** Nothing written, and the server still serves a real query. */
async function expectUnharmed() {
  expect(await books()).toEqual(before);
  const next = await server.graphql<{ products: unknown[] }>('{ products { sku } }');
  expect(next.data?.products.length).toBe(24);
}

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body,
  });
  const text = await response.text();
  let json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

const CREATE = 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }';

interface Refusal {
  status: number;
  code: unknown;
  /** The argument or input field at fault, where the refusal is about one. */
  field?: unknown;
}

/** How a client sees a refusal: the HTTP status, then the first error's code and field. */
function refusalOf(answer: Awaited<ReturnType<typeof post>>): Refusal {
  const extensions = answer.json?.errors?.[0]?.extensions ?? {};
  return { status: answer.status, code: extensions.code, field: extensions.field };
}

describe('malformed HTTP requests', () => {
  it('answers malformed JSON with 400 and a message that says so', async () => {
    const answer = await post('{"query": "{ products { sku } }"');
    expect(refusalOf(answer)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(answer.json?.errors?.[0]?.message).toMatch(/JSON/i);
    await expectUnharmed();
  });

  it('refuses a form or text body that a browser may send across sites (CSRF)', async () => {
    const answer = await post('query={products{sku}}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(refusalOf(answer)).toEqual({ status: 403, code: 'CSRF_HEADER_REQUIRED' });
    expect(answer.json?.errors?.[0]?.message).toMatch(/CSRF header/);
    expect(answer.json?.data ?? null).toBeNull();
    const text = await post('{"query":"{ products { sku } }"}', { 'content-type': 'text/plain' });
    expect(refusalOf(text)).toEqual({ status: 403, code: 'CSRF_HEADER_REQUIRED' });
    await expectUnharmed();
  });

  it('refuses a body over the size limit with 413 before reading it', async () => {
    const query = `{ products { sku } } # ${'x'.repeat(8000)}`;
    const answer = await post(JSON.stringify({ query }));
    expect(refusalOf(answer)).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(answer.json?.errors?.[0]?.message).toMatch(/at most 4096/);
    await expectUnharmed();
  });

  it('refuses batched requests', async () => {
    const answer = await post(JSON.stringify([{ query: '{ products { sku } }' }, { query: '{ products { sku } }' }]));
    expect(refusalOf(answer)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(answer.json?.errors?.[0]?.message).toMatch(/Batching is not supported/);
    await expectUnharmed();
  });
});

describe('heavy or malformed operations', () => {
  it.each([
    [
      'a deeply nested query',
      `{ orders { edges { node { history { order { history { order { history { order { id } } } } } } } } } }`,
      /depth/i,
      'QUERY_TOO_DEEP',
    ],
    [
      'an alias bomb',
      `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: products { sku }`).join(' ')} }`,
      /alias/i,
      'TOO_MANY_ALIASES',
    ],
    [
      'a fragment cycle',
      'query { products { ...A } } fragment A on Product { ...B } fragment B on Product { ...A }',
      /cannot spread fragment/i,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['an invalid enum', '{ orders(status: [SHIPPED]) { totalCount } }', /SHIPPED/, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'an unknown field',
      '{ products { sku secretCost } }',
      /Cannot query field "secretCost"/,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['a syntax error', '{ products { sku ', /Syntax Error/, 'GRAPHQL_PARSE_FAILED'],
  ])('refuses %s with a message that names the problem', async (_what, query, message, code) => {
    const answer = await post(JSON.stringify({ query }));
    expect(refusalOf(answer)).toEqual({ status: 200, code });
    expect(answer.json?.data ?? null).toBeNull();
    expect(answer.json?.errors?.map((error) => error.message).join(' ')).toMatch(message);
    await expectUnharmed();
  });

  it('does not suggest field names to someone probing the schema', async () => {
    const answer = await post(JSON.stringify({ query: '{ products { skus } }' }));
    expect(answer.json?.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});

describe('bad values', () => {
  it.each([
    [
      'a MongoDB operator as a customer id',
      { customerId: '{"$ne": null}', sku: 'SKU-0001', quantity: 1 },
      /no customer with id/,
      { status: 200, code: 'NOT_FOUND', field: 'customerId' },
    ],
    [
      'an operator object as a SKU',
      { customerId: 'cus_0001', sku: { $gt: '' }, quantity: 1 },
      /String cannot represent/,
      { status: 400, code: 'BAD_USER_INPUT', field: 'sku' },
    ],
    [
      'a regular expression as a SKU',
      { customerId: 'cus_0001', sku: '.*', quantity: 1 },
      /no product with sku/,
      { status: 200, code: 'NOT_FOUND', field: 'sku' },
    ],
    [
      'a huge integer',
      { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 1e20 },
      /Int cannot represent/,
      { status: 400, code: 'BAD_USER_INPUT', field: 'quantity' },
    ],
    [
      'a negative quantity',
      { customerId: 'cus_0001', sku: 'SKU-0001', quantity: -5 },
      /quantity must be at least 1/,
      { status: 200, code: 'BAD_USER_INPUT', field: 'quantity' },
    ],
    [
      'an unknown input field',
      { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 1, discount: 100 },
      /"discount" is not defined/,
      { status: 400, code: 'BAD_USER_INPUT', field: 'discount' },
    ],
  ])('refuses %s, and stores nothing', async (_what, input, message, refusal: Refusal) => {
    const answer = await post(JSON.stringify({ query: CREATE, variables: { input } }));
    expect(refusalOf(answer)).toEqual(refusal);
    expect(answer.json?.data ?? null).toBeNull();
    expect(answer.json?.errors?.[0]?.message).toMatch(message);
    await expectUnharmed();
  });

  it.each([
    ['quantity', { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 0 }],
    ['customerId', { customerId: ' ', sku: 'SKU-0001', quantity: 1 }],
    ['sku', { customerId: 'cus_0001', sku: 'x'.repeat(65), quantity: 1 }],
  ])('names %s as the field at fault, with BAD_USER_INPUT and HTTP 200', async (field, input) => {
    const response = await fetch(`${server.app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: CREATE, variables: { input } }),
    });
    const answer = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(response.status).toBe(200);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    await expectUnharmed();
  });

  it.each(['not-an-id', 'T3JkZXI6bm90aGV4', Buffer.from('Product:SKU-0001').toString('base64')])(
    'refuses the invalid global id %s with BAD_USER_INPUT',
    async (id) => {
      const answer = await post(
        JSON.stringify({ query: 'query($id: ID!) { order(id: $id) { id } }', variables: { id } }),
      );
      expect(refusalOf(answer)).toEqual({ status: 200, code: 'BAD_USER_INPUT', field: 'id' });
      expect(answer.json?.errors?.[0]?.message).toMatch(/must be the id of an Order/);
      await expectUnharmed();
    },
  );
});

describe('the WebSocket protocol', () => {
  const url = () => `${server.app.url.replace('http', 'ws')}/graphql`;

  /** Opens a raw socket, runs `script` once it is open, and resolves with the close code. */
  function closeCodeOf(script: (socket: WebSocket) => void, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url(), 'graphql-transport-ws', { headers });
      socket.once('open', () => script(socket));
      socket.once('close', (code) => resolve(code));
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', (error) => {
        if (!/Unexpected server response/.test(error.message)) reject(error);
      });
    });
  }
  const init = (socket: WebSocket) =>
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const subscribe = (socket: WebSocket, id: string) =>
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { orderCreated { id } }' } }));

  it('closes with 4401 on a subscribe before connection_init', async () => {
    expect(await closeCodeOf((socket) => subscribe(socket, '1'))).toBe(4401);
    await expectUnharmed();
  });

  it('closes with 4408 a connection that never sends connection_init', async () => {
    expect(await closeCodeOf(() => {})).toBe(4408);
  });

  it('closes with 4400 on a frame that is not a graphql-ws message', async () => {
    expect(await closeCodeOf((socket) => socket.send('{"type": "garbage'))).toBe(4400);
  });

  it('closes with 4409 on a second subscription with an id already in use', async () => {
    const code = await closeCodeOf((socket) => {
      init(socket);
      socket.on('message', (data) => {
        if (String(data).includes('connection_ack')) {
          subscribe(socket, 'same');
          subscribe(socket, 'same');
        }
      });
    });
    expect(code).toBe(4409);
  });

  it('closes with 1009 on a message over the size limit', async () => {
    expect(
      await closeCodeOf((socket) => socket.send(`{"type":"connection_init","payload":"${'x'.repeat(8000)}"}`)),
    ).toBe(1009);
  });

  it('refuses the upgrade from a browser page of another origin', async () => {
    expect(await closeCodeOf(() => {}, { origin: 'https://evil.example' })).toBe(403);
  });

  it('refuses subscriptions past the limit of a connection with LIMIT_EXCEEDED', async () => {
    const client = server.wsClient();
    const held = Array.from({ length: 3 }, () => collect(client, 'subscription { orderCreated { id } }'));
    const extra = collect(client, 'subscription { orderStatusChanged { status } }');
    await waitFor('the fourth subscription refused', async () => extra.errors.length > 0);
    expect(JSON.stringify(extra.errors)).toMatch(/at most 3 subscriptions/);
    expect(held.every((subscription) => subscription.errors.length === 0)).toBe(true);
    await expectUnharmed();
  });
});
