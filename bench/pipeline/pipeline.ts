/**
 * The pipeline end to end: an open-loop load of `createOrder` at a fixed rate
 * for a fixed time, against a server and a processor run as separate
 * processes, with a graphql-ws subscriber that waits for every order's final
 * status. Measured: the mutation's latency, the latency from sending
 * `createOrder` to the subscriber receiving PROCESSED or FAILED, the sustained
 * rate of final states, and that every order finished.
 *
 * `npm run bench -- pipeline` runs the rates of the full benchmark; one rate:
 * `tsx bench/pipeline/pipeline.ts --rate 200 --seconds 10` (after 3 s of unmeasured warm-up, `--warmup`).
 * With `--payments-latency 150/600` the processor calls a payment service of the run's own whose
 * authorizations take that median and 99th percentile (ms); otherwise the shared one on 4010.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { redisConfigFrom } from '@orders/core';
import { dropOrderIndex } from '@orders/core/testing';
import { prepareCheckout } from '../lib/checkout.ts';
import { commandLine } from '../lib/command-line.ts';
import { countingProxy, perOrder, type CountingProxy } from '../lib/db-operations.ts';
import { steadyRate, summarize, type Summary } from '../lib/latency.ts';
import {
  cpuSeconds,
  freePort,
  graphqlRequest,
  launch,
  startPaymentService,
  storePids,
  subscribe,
  waitReady,
  wsClient,
  type Running,
} from '../../test/support/index.ts';

export interface PipelineSystem {
  url: string;
  server: Running;
  processor: Running;
  /** What the server and the processor each ask of the MongoDB-wire server, counted on the wire. */
  db: { server: CountingProxy; processor: CountingProxy };
  stop(): Promise<void>;
}

/**
 * A server and a processor on a database and topics of their own, the processing delay set to zero,
 * each through a counting proxy to the MongoDB-wire server. With `profileDir`, both write a CPU profile
 * there when they stop; with `root`, they are another checkout's (see lib/checkout.ts).
 */
export async function startSystem(
  name: string,
  options: { env?: Record<string, string>; profileDir?: string; root?: string } = {},
): Promise<PipelineSystem> {
  const env = options.env ?? {};
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const port = freePort();
  const run = `${name}_${Date.now()}`;
  const database = `mongodb://127.0.0.1:27017/${run}`;
  const db = { server: await countingProxy(database), processor: await countingProxy(database) };
  // The load is the point here: the per-token createOrder limit is lifted. The prefix under both of its
  // names, for checkouts from before NAME_PREFIX.
  const shared = {
    NAME_PREFIX: `${run}.`,
    KAFKA_TOPIC_PREFIX: `${run}.`,
    CREATE_ORDER_RATE: '1000000',
    CREATE_ORDER_BURST: '1000000',
    ...env,
  };
  const server = launch(
    'server/src/main.ts',
    { ...shared, MONGODB_URI: db.server.uri, PORT: String(port) },
    port,
    nodeArgs,
    undefined,
    options.root,
  );
  await waitReady(`${server.url}/ready`);
  const processor = launch(
    'processor/src/main.ts',
    { ...shared, MONGODB_URI: db.processor.uri },
    undefined,
    nodeArgs,
    undefined,
    options.root,
  );
  return {
    url: `${server.url}/graphql`,
    server,
    processor,
    db,
    async stop() {
      await Promise.all([processor.stop(), server.stop()]);
      await Promise.all([db.server.close(), db.processor.close()]);
      const connection = await mongoose.createConnection(database).asPromise();
      await connection.dropDatabase();
      await connection.close();
      await dropOrderIndex(redisConfigFrom(process.env), shared.NAME_PREFIX);
    },
  };
}

export interface PipelineResult {
  offeredRate: number;
  seconds: number;
  sent: number;
  created: number;
  refused: number;
  /** Why createOrder requests failed, by message, with how many failed so. */
  refusals: Record<string, number>;
  finished: number;
  /** Final states per second while the run was steady (see steadyRate). */
  finalPerSec: number;
  mutation: Summary;
  toSubscriber: Summary;
  /**
   * The same journey in two legs, by the wall clock the processes share: from sending `createOrder`
   * to the processor's decision (the change's `at`), and from there to the subscriber.
   */
  toDecision: Summary;
  decisionToSubscriber: Summary;
  /** CPU seconds per 1,000 orders, per process: the server, the processor and each store's server. */
  cpuPerThousand: Record<string, number>;
  /** Database operations (documents inserted, update statements, queries) and commands per order, per process and step. */
  dbPerOrder: { operations: number; commands: number; server: DbPerOrder; processor: DbPerOrder };
}

type DbPerOrder = ReturnType<typeof perOrder>;

const CREATE = 'mutation Bench($input: CreateOrderInput!) { createOrder(input: $input) { id } }';
const FINAL = `subscription BenchFinal {
  orderStatusChanged(status: [PROCESSED, FAILED]) { status at order { id } }
}`;

interface Final {
  orderStatusChanged: { status: string; at: string; order: { id: string } };
}

/** What one run has seen so far, order by order. */
interface Tally {
  readonly sentAt: Map<string, number>; // idempotency key → send time
  readonly sentWall: Map<string, number>; // idempotency key → send time, wall clock
  readonly keyOf: Map<string, string>; // order id → idempotency key
  readonly finalAt: Map<string, number>; // order id → when its final status arrived
  readonly legs: Map<string, { decided: number; received: number }>; // order id → wall clock times
  readonly mutationMs: number[];
  readonly refusals: Record<string, number>;
  refused: number;
}

const newTally = (): Tally => ({
  sentAt: new Map(),
  sentWall: new Map(),
  keyOf: new Map(),
  finalAt: new Map(),
  legs: new Map(),
  mutationMs: [],
  refusals: {},
  refused: 0,
});

type Catalogue = { products: { sku: string }[]; customers: { id: string }[] };

/** Sends `total` createOrder requests at `rate` per second, open loop: each leaves at its time, whatever the earlier ones are doing. */
async function sendOrders(url: string, catalogue: Catalogue, tally: Tally, rate: number, total: number): Promise<void> {
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const key = randomUUID();
    const input = {
      customerId: catalogue.customers[i % catalogue.customers.length]!.id,
      sku: catalogue.products[i % catalogue.products.length]!.sku,
      quantity: 1,
      idempotencyKey: key,
    };
    const sent = performance.now();
    tally.sentAt.set(key, sent);
    tally.sentWall.set(key, Date.now());
    inFlight.push(
      graphqlRequest<{ createOrder: { id: string } }>(url, CREATE, { input }).then(
        ({ createOrder }) => {
          tally.mutationMs.push(performance.now() - sent);
          tally.keyOf.set(createOrder.id, key);
        },
        (error: unknown) => {
          tally.refused += 1;
          const reason = error instanceof Error ? error.message : String(error);
          tally.refusals[reason] = (tally.refusals[reason] ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
}

/** Waits until every created order has its final status, or `seconds` have passed. */
async function drain(tally: Tally, seconds: number): Promise<void> {
  const until = performance.now() + seconds * 1000;
  while ([...tally.keyOf.keys()].some((id) => !tally.finalAt.has(id)) && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Each finished order's journey, whole and in its two legs, and when the last one finished. */
function journeys(tally: Tally) {
  const whole: number[] = [];
  const toDecision: number[] = [];
  const decisionToSubscriber: number[] = [];
  const finals: number[] = [];
  for (const [id, key] of tally.keyOf) {
    const at = tally.finalAt.get(id);
    if (at === undefined) continue;
    whole.push(at - tally.sentAt.get(key)!);
    const leg = tally.legs.get(id)!;
    toDecision.push(leg.decided - tally.sentWall.get(key)!);
    decisionToSubscriber.push(leg.received - leg.decided);
    finals.push(at);
  }
  return { whole, toDecision, decisionToSubscriber, finals };
}

/** The database operations of both processes per created order. */
function databasePerOrder(system: PipelineSystem, created: number): PipelineResult['dbPerOrder'] {
  const server = perOrder(system.db.server.counts(), created);
  const processor = perOrder(system.db.processor.counts(), created);
  return {
    operations: Math.round((server.operations + processor.operations) * 1000) / 1000,
    commands: Math.round((server.commands + processor.commands) * 1000) / 1000,
    server,
    processor,
  };
}

/**
 * One run at `rate` orders per second for `seconds`, then up to `drainSeconds`
 * for the stragglers. Orders go to every product in turn, so all partitions work.
 * With `warmupSeconds`, the same load runs that long first, unmeasured, and its
 * orders finish before the measured run starts: a freshly started server and
 * processor pay for compiling their hot code and opening their connections in
 * their first second or two, which is not what a running system costs.
 */
export async function runPipeline(
  system: PipelineSystem,
  options: { rate: number; seconds: number; drainSeconds?: number; warmupSeconds?: number },
): Promise<PipelineResult> {
  if (options.warmupSeconds) {
    await runPipeline(system, {
      rate: options.rate,
      seconds: options.warmupSeconds,
      drainSeconds: options.drainSeconds,
    });
  }
  const catalogue = await graphqlRequest<Catalogue>(system.url, '{ products { sku } customers { id } }');
  const tally = newTally();
  const client = wsClient(system.url);
  const unsubscribe = await subscribe<Final>(client, FINAL, {}, (data) => {
    const id = data.orderStatusChanged.order.id;
    if (tally.finalAt.has(id)) return;
    tally.finalAt.set(id, performance.now());
    tally.legs.set(id, { decided: Date.parse(data.orderStatusChanged.at), received: Date.now() });
  });
  await new Promise((resolve) => setTimeout(resolve, 500)); // the server's Redis subscription is in place

  // The load generator (this process) shares the machine too: its CPU is counted beside the others'.
  const pids = { server: system.server.pid, processor: system.processor.pid, ...storePids(), loadgen: process.pid };
  const cpuNow = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const cpuBefore = cpuNow();
  system.db.server.reset();
  system.db.processor.reset();
  const total = Math.round(options.rate * options.seconds);
  await sendOrders(system.url, catalogue, tally, options.rate, total);
  await drain(tally, options.drainSeconds ?? 30);
  const cpuAfter = cpuNow();
  const dbPerOrder = databasePerOrder(system, tally.keyOf.size);
  unsubscribe();
  await client.dispose();

  const { whole, toDecision, decisionToSubscriber, finals } = journeys(tally);
  const perThousand = (cpu: number) => Math.round((cpu / Math.max(1, tally.keyOf.size)) * 1000 * 100) / 100;
  return {
    offeredRate: options.rate,
    seconds: options.seconds,
    sent: total,
    created: tally.keyOf.size,
    refused: tally.refused,
    refusals: tally.refusals,
    finished: whole.length,
    finalPerSec: steadyRate(finals),
    mutation: summarize(tally.mutationMs),
    toSubscriber: summarize(whole),
    toDecision: summarize(toDecision),
    decisionToSubscriber: summarize(decisionToSubscriber),
    cpuPerThousand: Object.fromEntries(
      Object.keys(pids).map((name) => [name, perThousand((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0))]),
    ),
    dbPerOrder,
  };
}

/** Whether a run kept up: every order finished, and final states came out at 95% of the offered rate or more. */
export function sustained(result: PipelineResult): boolean {
  return result.refused === 0 && result.finished === result.sent && result.finalPerSec >= result.offeredRate * 0.95;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const values = commandLine({ rate: 100, seconds: 10, warmup: 3 }, ['profile', 'against', 'payments-latency']);
  const root = values.against === undefined ? undefined : prepareCheckout(values.against).root;
  const [p50, p99] = (values['payments-latency'] ?? '').split('/');
  const payments =
    p50 === undefined || p50 === ''
      ? undefined
      : await startPaymentService({ PAYMENTS_LATENCY_P50_MS: p50, PAYMENTS_LATENCY_P99_MS: p99 ?? p50 });
  const env: Record<string, string> = payments === undefined ? {} : { PAYMENTS_URL: payments.url };
  const system = await startSystem('bench_pipeline', { profileDir: values.profile, root, env });
  try {
    const result = await runPipeline(system, {
      rate: values.rate,
      seconds: values.seconds,
      warmupSeconds: values.warmup,
    });
    console.log(JSON.stringify({ ...result, sustained: sustained(result) }, null, 2));
  } finally {
    await system.stop();
    await payments?.close();
  }
}
