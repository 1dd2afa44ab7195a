/**
 * Soak: 200 subscribers over graphql-ws and SSE across every subscription field, on a server and a
 * processor run as processes, while 50 orders a second flow for two minutes. Twenty subscribers stop
 * reading at once (a paused socket, an unread response) and ten hold tokens that expire mid-run.
 * Held: every healthy subscriber receives every event of its field once; the stalled ones are closed
 * as too slow (1013, SLOW_CONSUMER) and the expired ones at their expiry (4403, TOKEN_EXPIRED); the
 * server never exits, answers /ready throughout, counts no unhandled rejection, and its resident
 * memory stays under SOAK_RSS_LIMIT_BYTES.
 */
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { channelsFor } from '@orders/core';
import { expect, it } from 'vitest';
import {
  openSse,
  REDIS_URL,
  rssBytes,
  sleep,
  tokenFor,
  waitFor,
  type Running,
  type SseStream,
} from '../support/index.ts';
import { createOrders, orderIdOf, startCluster, waitForFinal } from './cluster.ts';

const RATE = 50;
/** Two minutes; SOAK_SECONDS shortens a run by hand while working on it. */
const RUN_SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
/**
 * The server's resident memory may not exceed this at any sample, nor grow by more than the next from
 * its start with every subscriber connected. Measured on a two-core machine (the server run by tsx):
 * 219-223 MB at start, 452, 483 and 500 MB at the peak, 370-400 MB at the end of three runs; the 20 stalled
 * subscribers hold at most 1 MiB each (SUBSCRIBER_MAX_PENDING_BYTES below), the rest is the heap
 * V8 grows under 50 orders a second and does not give back within the run.
 */
const SOAK_RSS_LIMIT_BYTES = 640 * 1024 * 1024;
const SOAK_RSS_GROWTH_BYTES = 400 * 1024 * 1024;
const EXPIRING_AFTER_S = Math.min(45, Math.round(RUN_SECONDS / 2));
const t0 = Date.now();
const step = (what: string) => console.info(`soak +${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);

type Transport = 'ws' | 'sse';

interface Result {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One subscriber, whatever its transport: what it received, and how it ended. */
interface Subscriber {
  readonly transport: Transport;
  readonly group: string;
  readonly results: () => Result[];
  /** The close code and reason (graphql-ws) or the last event's error code (SSE), once ended. */
  readonly ended: () => { code?: number; reason?: string; errorCode?: string; at: number } | undefined;
  pause(): void;
  resume(): void;
  close(): void;
}

function wsSubscriber(
  url: string,
  group: string,
  query: string,
  variables: object,
  token: string,
): Promise<Subscriber> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const results: Result[] = [];
  let ended: ReturnType<Subscriber['ended']>;
  socket.on('close', (code, reason) => (ended = { code, reason: String(reason), at: Date.now() }));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
        resolve({
          transport: 'ws',
          group,
          results: () => results,
          ended: () => ended,
          pause: () => socket.pause(),
          resume: () => socket.resume(),
          close: () => socket.close(),
        });
      } else if (message.type === 'next') results.push(message.payload as Result);
      else if (message.type === 'error') results.push({ errors: message.payload as Result['errors'] });
      else if (message.type === 'ping') socket.send('{"type":"pong"}');
    });
  });
}

async function sseSubscriber(url: string, group: string, query: string, variables: object, token: string) {
  const stream: SseStream = await openSse(`${url}/graphql`, query, token, variables as Record<string, unknown>);
  let ended: ReturnType<Subscriber['ended']>;
  void stream.ended.then(() => {
    const last = stream.results().at(-1);
    ended = { errorCode: last?.errors?.[0]?.extensions?.code, at: Date.now() };
  });
  return {
    transport: 'sse',
    group,
    results: () => stream.results(),
    ended: () => ended,
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    close: () => stream.close(),
  } satisfies Subscriber;
}

const customer = (n: number) => `cus_${String(n).padStart(4, '0')}`;

/**
 * Fifteen aliases of a change's order, its fields as the event carries them: about 3 KB per event, so
 * that a stalled client outgrows its socket's buffers (some 4 MB on loopback) within the run. Nothing
 * is read from the database for it: what falls behind is the client, not the execution.
 */
const BIG = Array.from(
  { length: 15 },
  (_, i) =>
    `a${i}: order { id orderNumber status customerId sku quantity total createdAt updatedAt version attempts error }`,
).join(' ');

const QUERIES = {
  statusAll: 'subscription SoakStatus { orderStatusChanged { status version order { id customerId } } }',
  statusBig: `subscription SoakStatusBig { orderStatusChanged { status ${BIG} } }`,
  createdAll: 'subscription SoakCreated { orderCreated { id customerId } }',
  updated: 'subscription SoakUpdated($id: ID!) { orderUpdated(id: $id, afterVersion: 1) { id version status } }',
  stats: 'subscription SoakStats { orderStats { total } }',
  health: 'subscription SoakHealth { pipelineHealth { at } }',
};

it(`200 subscribers, 20 stalled and 10 expiring, while ${RATE} orders a second flow for ${RUN_SECONDS} s`, async () => {
  step('starting');
  const cluster = await startCluster('soak');
  const server = await cluster.startServer({
    MAX_CONNECTIONS_PER_SUBJECT: '1000',
    MAX_SUBSCRIPTIONS_PER_SUBJECT: '1000',
    SUBSCRIBER_MAX_PENDING_BYTES: String(1024 * 1024),
  });
  cluster.startProcessor();
  const url = server.url;
  const operator = await tokenFor({ role: 'operator', subject: 'soak', expiresInSeconds: 3600 });
  const customerToken = (n: number, seconds = 3600) =>
    tokenFor({ role: 'customer', customerId: customer(n), expiresInSeconds: seconds });

  // Orders whose next version the orderUpdated subscribers wait for, made before the processor is warm.
  const watched = await createOrders(() => [url], 20, 20, 'soak-watched');
  await waitForFinal(cluster.models, 20);

  step('watched orders decided');
  let sampling = true;
  // What the servers announced as new orders, heard on Redis beside them: every order created, once.
  const announced = new Set<string>();
  const listener = new Redis(REDIS_URL);
  await listener.subscribe(channelsFor(cluster.prefix).created);
  listener.on('message', (_channel, message: string) =>
    announced.add((JSON.parse(message) as { order: { _id: string } }).order._id),
  );
  cluster.onClose(() => listener.disconnect());
  const open = (transport: Transport, group: string, query: string, variables: object, token: string) =>
    transport === 'ws'
      ? wsSubscriber(url, group, query, variables, token)
      : sseSubscriber(url, group, query, variables, token);
  const both = async (count: number, make: (transport: Transport, i: number) => Promise<Subscriber>) =>
    Promise.all(Array.from({ length: count }, (_, i) => make(i % 2 === 0 ? 'ws' : 'sse', i)));

  const subscribers: Subscriber[] = [
    ...(await both(40, (t) => open(t, 'statusAll', QUERIES.statusAll, {}, operator))),
    ...(await both(16, async (t, i) =>
      open(t, `status:${customer(1 + i)}`, QUERIES.statusAll, {}, await customerToken(1 + i)),
    )),
    ...(await both(30, (t) => open(t, 'createdAll', QUERIES.createdAll, {}, operator))),
    ...(await both(16, async (t, i) =>
      open(t, `created:${customer(17 + i)}`, QUERIES.createdAll, {}, await customerToken(17 + i)),
    )),
    ...(await both(20, (t, i) => open(t, `updated:${i}`, QUERIES.updated, { id: globalId(watched[i]!) }, operator))),
    ...(await both(24, (t) => open(t, 'stats', QUERIES.stats, {}, operator))),
    ...(await both(24, (t) => open(t, 'health', QUERIES.health, {}, operator))),
  ];
  const stalled = await both(20, (t) => open(t, 'stalled', QUERIES.statusBig, {}, operator));
  const expiresAt = Date.now() + EXPIRING_AFTER_S * 1000;
  const expiring = await both(10, async (t, i) =>
    open(t, 'expiring', QUERIES.statusAll, {}, await customerToken(1 + i, EXPIRING_AFTER_S)),
  );
  cluster.onClose(() => {
    sampling = false;
    for (const s of [...subscribers, ...stalled, ...expiring]) s.close();
  });
  expect(subscribers.length + stalled.length + expiring.length).toBe(200);
  step('200 subscribers connected');
  // Every subscription is live once the pipeline panel's first sample reached its subscribers.
  await waitFor('the subscriptions to be live', () =>
    subscribers.filter((s) => s.group === 'health').every((s) => s.results().length > 0),
  );
  for (const subscriber of stalled) subscriber.pause();
  step('subscriptions live; 20 stalled');

  // The server's memory, /ready, and whether it still runs, sampled while the orders flow.
  const baseline = rssBytes(server.pid);
  const rss: number[] = [baseline];
  const notReady: string[] = [];
  const sampler = (async () => {
    while (sampling && isRunning(server)) {
      const sampled = (() => {
        try {
          return rssBytes(server.pid);
        } catch {
          return undefined; // the process is gone: the test says so below
        }
      })();
      if (sampled === undefined) break;
      rss.push(sampled);
      const answer = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
      if (!(answer instanceof Response) || answer.status !== 200)
        notReady.push(`${new Date().toISOString()} ${String(answer instanceof Response ? answer.status : answer)}`);
      await sleep(1000);
    }
  })();

  const started = Date.now();
  const ids = await createOrders(() => [url], RATE * RUN_SECONDS, RATE, 'soak');
  const flowSeconds = (Date.now() - started) / 1000;
  step(`${ids.length} orders created in ${flowSeconds.toFixed(1)} s`);
  await waitForFinal(cluster.models, ids.length + watched.length, 120_000);
  step('every order decided');
  expect(ids.filter((id) => !announced.has(id))).toEqual([]);
  const expected = {
    created: new Set(ids),
    decided: new Set(ids),
    customerOf: new Map(
      (await cluster.models.Order.find({}, { customerId: 1 }).lean()).map((o) => [String(o._id), o.customerId]),
    ),
  };

  const orderIdsIn = (
    subscriber: Subscriber,
    pick: (data: Record<string, unknown>) => { id: string; status?: string } | undefined,
  ) =>
    subscriber.results().flatMap((r) => {
      const picked = r.data ? pick(r.data) : undefined;
      return picked ? [picked] : [];
    });
  const decisions = (s: Subscriber) =>
    orderIdsIn(s, (d) => {
      const change = d.orderStatusChanged as { status: string; order: { id: string } } | undefined;
      return change && { id: orderIdOf(change.order.id), status: change.status };
    }).filter((c) => expected.decided.has(c.id) && c.status !== 'PENDING');
  const creations = (s: Subscriber) =>
    orderIdsIn(s, (d) => {
      const order = d.orderCreated as { id: string } | undefined;
      return order && { id: orderIdOf(order.id) };
    }).filter((o) => expected.created.has(o.id));
  const wanted = (s: Subscriber): number => {
    const scope = s.group.split(':')[1];
    const of = (set: Set<string>) =>
      scope ? [...set].filter((id) => expected.customerOf.get(id) === scope).length : set.size;
    return s.group.startsWith('status') ? of(expected.decided) : of(expected.created);
  };
  const eventful = subscribers.filter((s) => s.group.startsWith('status') || s.group.startsWith('created'));
  const countOf = (s: Subscriber) => (s.group.startsWith('status') ? decisions(s) : creations(s)).length;
  await waitFor(
    'every healthy subscriber to receive every event',
    () => eventful.every((s) => countOf(s) >= wanted(s)),
    60_000,
    500,
  ).catch((error: unknown) => {
    const short = eventful
      .filter((s) => countOf(s) < wanted(s))
      .map((s) => `${s.transport} ${s.group}: ${countOf(s)}/${wanted(s)}`);
    throw new Error(`${String(error)}: ${short.slice(0, 10).join('; ')}`);
  });
  sampling = false;
  await sampler;
  step('every healthy subscriber has every event');

  // Every event once, each subscriber its own field's and scope's.
  for (const s of eventful) {
    const events = s.group.startsWith('status') ? decisions(s) : creations(s);
    const distinct = new Set(events.map((e) => e.id));
    expect({ who: `${s.transport} ${s.group}`, events: events.length, distinct: distinct.size }).toEqual({
      who: `${s.transport} ${s.group}`,
      events: wanted(s),
      distinct: wanted(s),
    });
    const scope = s.group.split(':')[1];
    if (scope) expect([...distinct].every((id) => expected.customerOf.get(id) === scope)).toBe(true);
    expect(s.results().flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(s.ended()).toBeUndefined();
  }
  for (const s of subscribers.filter((s) => s.group.startsWith('updated'))) {
    // Each watched order had one version after 1 (its decision): shown once.
    const versions = s.results().map((r) => (r.data?.orderUpdated as { version: number }).version);
    expect(versions).toEqual([2]);
  }
  for (const s of subscribers.filter((s) => s.group === 'stats' || s.group === 'health')) {
    expect(s.results().flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(s.results().length).toBeGreaterThan(s.group === 'stats' ? RUN_SECONDS / 2 : RUN_SECONDS / 6);
    expect(s.ended()).toBeUndefined();
  }

  // The expired ones were closed at their expiry, each with its reason.
  for (const s of expiring) {
    const ended = s.ended();
    expect(ended).toBeDefined();
    expect(ended!.at).toBeGreaterThan(expiresAt - 1500);
    expect(ended!.at).toBeLessThan(expiresAt + 5000);
    if (s.transport === 'ws') expect(ended).toMatchObject({ code: 4403, reason: 'Forbidden: the token has expired' });
    else expect(ended).toMatchObject({ errorCode: 'TOKEN_EXPIRED' });
  }
  // The stalled ones, reading again, find that they were closed as too slow.
  for (const s of stalled) s.resume();
  await waitFor('the stalled subscribers to be ended', () => stalled.every((s) => s.ended() !== undefined), 60_000);
  for (const s of stalled) {
    if (s.transport === 'sse') expect(s.ended()).toMatchObject({ errorCode: 'SLOW_CONSUMER' });
    // The close frame waits behind what the client left unread; a client still not reading 30 s after it
    // (ws's close timeout) has its socket destroyed, and sees 1006 with the reason lost: both are the server's doing.
    else if (s.ended()!.code === 1013)
      expect(s.ended()!.reason).toMatch(/^Try Again Later: \d+ events, \d+ bytes not yet read/);
    else expect(s.ended()).toMatchObject({ code: 1006 });
  }

  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/^process_unhandled_rejections_total 0$/m);
  expect(metrics).toMatch(/^websocket_slow_consumers_closed_total\{transport="graphql-ws"\} 10$/m);
  expect(metrics).toMatch(/^websocket_slow_consumers_closed_total\{transport="sse"\} 10$/m);
  expect(metrics).toMatch(/^subscribers_token_expired_total\{transport="graphql-ws"\} 5$/m);
  expect(metrics).toMatch(/^subscribers_token_expired_total\{transport="sse"\} 5$/m);

  const peak = Math.max(...rss);
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  console.info(
    `soak: ${ids.length} orders in ${flowSeconds.toFixed(1)} s, ${expected.created.size} announced as created; server RSS ${mb(baseline)} MB at start, peak ${mb(peak)} MB, ` +
      `end ${mb(rss.at(-1)!)} MB; /ready failures ${notReady.length}`,
  );
  expect(notReady).toEqual([]);
  expect(peak).toBeLessThan(SOAK_RSS_LIMIT_BYTES);
  expect(peak - baseline).toBeLessThan(SOAK_RSS_GROWTH_BYTES);
  expect(isRunning(server)).toBe(true);

  for (const s of [...subscribers, ...stalled, ...expiring]) s.close();
  await cluster.close();
}, 420_000);

const globalId = (orderId: string) => Buffer.from(`Order:${orderId}`).toString('base64');
const isRunning = (running: Running) => running.child.exitCode === null && running.child.signalCode === null;
