/**
 * Per-client connection work: a socket that never says connection_init is closed (4408), one without a
 * token after WS_ANONYMOUS_TIMEOUT_MS (4401); a token's subject holds at most
 * MAX_CONNECTIONS_PER_SUBJECT connections (4029 beyond) and MAX_SUBSCRIPTIONS_PER_SUBJECT
 * subscriptions over graphql-ws and SSE together (LIMIT_EXCEEDED beyond), each refusal counted; a
 * token valid longer than a timer can wait (2^31-1 ms) keeps its connection open.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, openSse, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('conn-limits', {
    WS_CONNECTION_INIT_TIMEOUT_MS: '300',
    WS_ANONYMOUS_TIMEOUT_MS: '500',
    MAX_CONNECTIONS_PER_SUBJECT: '2',
    MAX_SUBSCRIPTIONS_PER_SUBJECT: '3',
  });
});
afterAll(() => server?.close());

interface Socket {
  readonly socket: WebSocket;
  readonly acked: Promise<boolean>;
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
  /** The messages received, parsed. */
  readonly messages: { type: string; id?: string; payload?: unknown }[];
}

/** A raw graphql-transport-ws socket: connection_init with `token` (none: no payload; undefined: never sent). */
function connect(init: { token?: string | null } | undefined): Socket {
  const socket = new WebSocket(`${server.app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: Socket['messages'] = [];
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })),
  );
  const acked = new Promise<boolean>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Socket['messages'][number];
      messages.push(message);
      if (message.type === 'connection_ack') resolve(true);
    });
    void closed.then(() => resolve(false));
  });
  socket.once('open', () => {
    if (init === undefined) return;
    const payload = init.token ? { authorization: `Bearer ${init.token}` } : {};
    socket.send(JSON.stringify({ type: 'connection_init', payload }));
  });
  return { socket, acked, closed, messages };
}

async function metrics(): Promise<string> {
  return (await fetch(`${server.app.url}/metrics`)).text();
}

describe('a WebSocket that does not authenticate', () => {
  it('is closed with 4408 when it sends no connection_init in time', async () => {
    const opened = Date.now();
    const silent = connect(undefined);
    const closed = await silent.closed;
    expect(closed.code).toBe(4408);
    expect(closed.reason).toBe('Connection initialisation timeout');
    expect(closed.at - opened).toBeLessThan(3000);
  });

  it('is acknowledged without a token, then closed with 4401 at its deadline, and counted', async () => {
    const anonymous = connect({ token: null });
    expect(await anonymous.acked).toBe(true);
    const ackedAt = Date.now();
    const closed = await anonymous.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toBe('Unauthorized: a connection without a token closes after 500 ms');
    expect(closed.at - ackedAt).toBeGreaterThanOrEqual(300);
    expect(await metrics()).toMatch(/^websocket_anonymous_closed_total [1-9]\d*$/m);
  });
});

describe('the connections of one subject', () => {
  it('are refused with 4029 beyond MAX_CONNECTIONS_PER_SUBJECT, others are not, and a freed place is taken again', async () => {
    const token = await server.token('customer', 'cus_0101');
    const first = connect({ token });
    const second = connect({ token });
    expect(await first.acked).toBe(true);
    expect(await second.acked).toBe(true);

    const third = connect({ token });
    expect(await third.acked).toBe(false);
    const refused = await third.closed;
    expect(refused.code).toBe(4029);
    expect(refused.reason).toBe(
      "Too many connections: this token's subject already holds 2 WebSocket connections, the most allowed",
    );
    expect(await metrics()).toMatch(/^subject_limit_refusals_total\{limit="connections",transport="graphql-ws"\} 1$/m);

    // Another subject is not concerned; a token of the same subject signed again is.
    const other = connect({ token: await server.token('customer', 'cus_0102') });
    expect(await other.acked).toBe(true);
    const sameSubject = connect({ token: await server.token('customer', 'cus_0101', 600) });
    expect(await sameSubject.acked).toBe(false);

    first.socket.close();
    await first.closed;
    await waitFor('the freed place to be taken', async () => {
      const again = connect({ token });
      const acked = await again.acked;
      if (acked) again.socket.close();
      return acked;
    });
    second.socket.close();
    other.socket.close();
  });
});

describe('the subscriptions of one subject', () => {
  it('are counted over graphql-ws and SSE together and refused with LIMIT_EXCEEDED beyond MAX_SUBSCRIPTIONS_PER_SUBJECT', async () => {
    const token = await server.token('customer', 'cus_0110');
    const client = server.wsClient(token);
    const query = 'subscription { orderCreated { orderNumber } }';
    const held = [collect(client, query), collect(client, query)];
    const sse = await openSse(`${server.app.url}/graphql`, query, token);
    expect(sse.status).toBe(200);
    await waitFor('the three subscriptions to be open', async () =>
      /^graphql_subscriptions\{field="orderCreated",transport="sse"\} 1$/m.test(await metrics()),
    );

    const refusedSse = await openSse(`${server.app.url}/graphql`, query, token);
    await refusedSse.ended;
    expect(refusedSse.results()[0]?.errors?.[0]).toMatchObject({
      message: "this token's subject already holds 3 subscriptions, the most allowed",
      extensions: { code: 'LIMIT_EXCEEDED' },
    });
    const refusedWs = collect(client, query);
    await waitFor('the WebSocket subscription to be refused', () => refusedWs.errors.length > 0);
    expect(refusedWs.errors[0]).toMatchObject([
      {
        message: "this token's subject already holds 3 subscriptions, the most allowed",
        extensions: { code: 'LIMIT_EXCEEDED' },
      },
    ]);
    const text = await metrics();
    expect(text).toMatch(/^subject_limit_refusals_total\{limit="subscriptions",transport="sse"\} 1$/m);
    expect(text).toMatch(/^subject_limit_refusals_total\{limit="subscriptions",transport="graphql-ws"\} 1$/m);

    // Ending one frees its place, on either transport.
    sse.close();
    await waitFor('the SSE subscription to end', async () =>
      /^graphql_subscriptions\{field="orderCreated",transport="sse"\} 0$/m.test(await metrics()),
    );
    const again = collect(client, query);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(again.errors).toEqual([]);
    for (const subscription of [...held, again]) subscription.unsubscribe();
  });
});

describe('a token valid longer than a timer can wait', () => {
  it('keeps its connection open (a timer past 2^31-1 ms would have fired after 1 ms)', async () => {
    const token = await server.token('customer', 'cus_0120', 40 * 24 * 3600);
    const longLived = connect({ token });
    expect(await longLived.acked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(longLived.socket.readyState).toBe(WebSocket.OPEN);
    longLived.socket.close();
  });
});
