/**
 * Scale: the stateless server over 100,000 and then 1,000,000 orders, on a
 * database and topic prefix of its own per size. For each size:
 *
 * - orders written straight into MongoDB (insertMany batches, several at
 *   once), then indexed by the real `npm run reindex`, timed, with the Redis
 *   memory the index takes per order (INFO used_memory before and after);
 * - a server started on them: time from spawn to `GET /ready` answering 200,
 *   and its resident memory once the query load below is over;
 * - `orders(status: [PROCESSED], first: 20)` at the top of the list and
 *   500,000 orders deep (or half the PROCESSED list when it is shorter), and
 *   `orderStats`, under closed-loop load;
 * - with a real processor deciding ~1,200 orders created through `createOrder`,
 *   the time from subscribing to `orderStatusChanged(after:)` with a cursor
 *   1,000 changes back to the first missed change arriving.
 *
 * Then how each figure grows from one size to the next. Everything the run made
 * is removed at the end: processes, database, the index's Redis keys.
 *
 * `npm run bench -- scale`; sizes with `SCALE_ORDERS=100000,1000000` (BENCH_QUICK=1: 5,000 and 20,000).
 */
import { spawn } from 'node:child_process';
import type autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Client } from 'graphql-ws';
import { OrderIndex, createModels, indexKeys, onlyDuplicateKeys, rebuildIndex, seqOfLogEntry } from '@orders/core';
import { buildServices } from '../../infra/build-services.ts';
import { summarize, type Summary } from '../lib/latency.ts';
import { graphqlLoad, load, ratio, type LoadResult } from '../lib/load.ts';
import {
  cpuSeconds,
  freePort,
  graphqlRequest,
  launch,
  listenerPid,
  repoRoot,
  rssBytes,
  storePids,
  wsClient,
  type Running,
} from '../../test/support/index.ts';

/** CPU seconds of a process so far; NaN once it has gone (a store restarted while measured). */
function cpuOf(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used since `before`, per process; those that went away meanwhile are left out. */
function cpuSince(before: Record<string, number>, now: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(now)
      .map(([name, seconds]): [string, number] => [name, seconds - (before[name] ?? Number.NaN)])
      .filter(([, seconds]) => Number.isFinite(seconds)),
  );
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const step = (message: string) => console.error(`[bench] scale: ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const SCALE_TARGETS = {
  reindexSeconds: 300,
  redisBytesPerOrder: 500,
  startToReadyMs: 3000,
  serverRssMb: 250,
  firstPageP99Ms: 25,
  deepPageP99Ms: 25,
  statsP99Ms: 10,
  resumeFirstP99Ms: 100,
} as const;

export interface ScaleSize {
  orders: number;
  /** Orders per status as written. */
  statuses: Record<string, number>;
  insert: { seconds: number; perSec: number };
  reindex: {
    /** From spawning `npm run reindex` to its exit. */
    seconds: number;
    perSec: number;
    /** What the tool reports for the rebuild itself: streaming and applying, without its start, connections and exit. */
    rebuildSeconds: number;
    /**
     * Why `npm run reindex` failed, when it did; the figures are then those of `rebuildIndex` run in this
     * process without the tool's lock, and how long its first 10,000 orders took.
     */
    toolError?: string;
    firstTenThousandSeconds?: number;
    /** CPU seconds each store's server used while it ran. */
    cpuSeconds: Record<string, number>;
  };
  redis: { usedMemoryBefore: number; usedMemoryAfter: number; bytesPerOrder: number };
  /** A server started on the index and topics as they are: from spawn to `/ready` answering 200. */
  startToReadyMs: number;
  /** The first start on this prefix, which also creates its Kafka topics. */
  firstStartToReadyMs: number;
  /** The server's VmRSS once ready, and once the query load is over, in MB. */
  serverRssAtReadyMb: number;
  serverRssMb: number;
  firstPage: LoadResult;
  /** CPU ms per request of the first-page load, by process (the load generator included). */
  firstPageCpuMsPerRequest: Record<string, number>;
  /** How many PROCESSED orders come before the page read with `after:`. */
  deepPageDepth: number;
  deepPage: LoadResult;
  stats: LoadResult;
  resume: {
    /** Changes in the logs when the cursors were made, and how many follow each cursor. */
    logged: number;
    changesBack: number;
    subscriptions: number;
    /** From sending the subscription to its first missed change. */
    toFirst: Summary;
    /** From sending it to the last of the missed changes. */
    toAll: Summary;
    /** Subscriptions that did not receive every missed change, in order, within the time allowed. */
    incomplete: number;
  };
}

export interface ScaleResult {
  sizes: ScaleSize[];
  seconds: number;
  connections: number;
  /** Each figure at the largest size over the same at the smallest. */
  growth: Record<string, number>;
  targets: typeof SCALE_TARGETS;
}

// ——— the orders ———

const CUSTOMERS = 40;
const SKUS = 24;
/** Orders one second apart, oldest first: 1,000,000 span eleven and a half days up to a few seconds ago. */
const SPACING_MS = 1000;
/** Every this many orders, one shares the millisecond of the order before it. */
const SAME_MS_EVERY = 997;
const BATCH = 1000;
const PARALLEL_BATCHES = 4;

const orderId = (i: number) => (0xc0000000 + i).toString(16).padStart(24, '0');
/** A fixed pseudo-random number in [0, 100) per order (Knuth's multiplicative hash). */
const roll = (i: number) => (Math.imul(i + 1, 2654435761) >>> 0) % 100;

interface Layout {
  count: number;
  base: number;
}

const createdAtOf = (layout: Layout, i: number) => {
  const shared = i > 0 && i % SAME_MS_EVERY === 0;
  return layout.base + (shared ? i - 1 : i) * SPACING_MS;
};

/**
 * The status of order `i`: PENDING only among the newest 2% (an order waits for its decision for
 * moments, not days), half of them; otherwise 80% PROCESSED (a few of them after a failure and a
 * retry) and 20% FAILED.
 */
function statusOf(layout: Layout, i: number): { status: 'PENDING' | 'PROCESSED' | 'FAILED'; retried: boolean } {
  const r = roll(i);
  if (i >= layout.count * 0.98 && r % 2 === 0) return { status: 'PENDING', retried: false };
  // A retry comes a minute after the failure: none among the orders of the last ten minutes.
  const retried = r < 4 && i < layout.count - 600;
  return { status: r < 80 ? 'PROCESSED' : 'FAILED', retried };
}

function orderDoc(layout: Layout, i: number) {
  const createdMs = createdAtOf(layout, i);
  const createdAt = new Date(createdMs);
  const { status, retried } = statusOf(layout, i);
  const decidedAt = new Date(createdMs + 20 + (i % 180));
  const error = i % 3 === 0 ? 'out of stock' : 'payment declined';
  const quantity = 1 + (i % 5);
  const history: {
    version: number;
    previousStatus: string | null;
    status: string;
    at: Date;
    error: string | null;
  }[] = [{ version: 1, previousStatus: null, status: 'PENDING', at: createdAt, error: null }];
  let failedAt: Date | null = null;
  let processedAt: Date | null = null;
  /** The order's decision, at `version`. */
  const decide = (version: number, at: Date) => {
    history.push({ version, previousStatus: 'PENDING', status, at, error: status === 'FAILED' ? error : null });
    if (status === 'FAILED') failedAt = at;
    else processedAt = at;
  };
  if (status !== 'PENDING') {
    if (retried) {
      const retryAt = new Date(createdMs + 60_000);
      history.push(
        { version: 2, previousStatus: 'PENDING', status: 'FAILED', at: decidedAt, error: 'payment declined' },
        { version: 3, previousStatus: 'FAILED', status: 'PENDING', at: retryAt, error: null },
      );
      failedAt = decidedAt;
      decide(4, new Date(retryAt.getTime() + 20 + (i % 180)));
    } else {
      decide(2, decidedAt);
    }
  }
  const last = history.at(-1)!;
  return {
    _id: orderId(i),
    orderNumber: `ORD-SCALE-${String(i).padStart(7, '0')}`,
    customerId: `cus_${String((i % CUSTOMERS) + 1).padStart(4, '0')}`,
    sku: `SKU-${String((Math.imul(i, 7) % SKUS) + 1).padStart(4, '0')}`,
    quantity,
    total: quantity * (5 + (i % 120)) + 0.99,
    status,
    version: last.version,
    attempts: status === 'PENDING' ? 0 : retried ? 2 : 1,
    error: last.error,
    idempotencyKey: null,
    createdAt,
    processedAt,
    failedAt,
    updatedAt: last.at,
    history,
  };
}

/**
 * An insert sent again when the connection is cut (the MongoDB-wire server restarted under the
 * benchmark, which a shared machine's other runs do): what was written already is refused as a
 * duplicate and skipped. Any other error, or a fifth cut, is thrown, in a line rather than the driver's dump.
 */
async function insertAgainIfCut(insert: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await insert();
      return;
    } catch (error) {
      if (onlyDuplicateKeys(error)) return;
      const cut = error instanceof Error && /closed|ECONNREFUSED|ECONNRESET|timed out/i.test(error.message);
      if (!cut || attempt >= 5) {
        throw new Error(`insertMany failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      step(`  insertMany cut (${error.message}); again in 2 s`);
      await sleep(2000);
    }
  }
}

/** Writes `count` orders straight into MongoDB, PARALLEL_BATCHES batches at a time; returns the count by status and the ids of the PENDING ones. */
async function insertOrders(
  uri: string,
  layout: Layout,
): Promise<{ statuses: Record<string, number>; pendingIds: string[] }> {
  const connection = await mongoose.createConnection(uri, { maxPoolSize: PARALLEL_BATCHES + 2 }).asPromise();
  try {
    const models = createModels(connection);
    // The indexes the models declare exist before the orders, as in a system that has run for a while.
    await Promise.all(Object.values(models).map((model) => model.init()));
    const statuses: Record<string, number> = { PENDING: 0, PROCESSED: 0, FAILED: 0 };
    const pendingIds: string[] = [];
    let next = 0;
    let written = 0;
    let lastReport = Date.now();
    const started = Date.now();
    const worker = async () => {
      while (next < layout.count) {
        const from = next;
        next = Math.min(layout.count, next + BATCH);
        const docs = Array.from({ length: next - from }, (_, k) => orderDoc(layout, from + k));
        const plain: Record<string, unknown>[] = docs;
        for (const doc of docs) statuses[doc.status] = (statuses[doc.status] ?? 0) + 1;
        // The driver's insert: the documents are already what the schema describes.
        await insertAgainIfCut(() => models.Order.collection.insertMany(plain, { ordered: false }));
        // The orders waiting for their decision reached Kafka long ago: the index is told so once it is built.
        for (const doc of docs) if (doc.status === 'PENDING') pendingIds.push(doc._id);
        written += docs.length;
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          const seconds = (Date.now() - started) / 1000;
          step(`  ${written.toLocaleString('en-US')} orders written, ${Math.round(written / seconds)}/s`);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_BATCHES }, worker));
    return { statuses, pendingIds };
  } finally {
    await connection.close();
  }
}

/** The `orders` cursor of the PROCESSED order with `depth` PROCESSED orders newer than it (and the page after it begins below it). */
function processedCursorAt(layout: Layout, depth: number): string {
  let seen = 0;
  for (let i = layout.count - 1; i >= 0; i--) {
    if (statusOf(layout, i).status !== 'PROCESSED') continue;
    seen += 1;
    if (seen === depth) return Buffer.from(JSON.stringify([createdAtOf(layout, i), orderId(i)])).toString('base64url');
  }
  throw new Error(`fewer than ${depth} PROCESSED orders`);
}

// ——— the index ———

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Runs `npm run reindex` on the bench's database and prefix; its progress goes to stderr as [bench] lines. */
/** Resolves with the seconds the tool says its rebuild took (its own start and connections apart). */
function reindex(env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'reindex'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    let lastShown = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
        // One progress line in ten seconds, and every other line.
        const progress = /^\s+\d+ orders/.test(line);
        if (progress && Date.now() - lastShown < 10_000) continue;
        if (progress) lastShown = Date.now();
        step(`  reindex: ${line.trim()}`);
      }
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), 30 * 60_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const rebuilt = /order index rebuilt: \d+ orders in ([\d.]+) s/.exec(tail);
      if (code === 0) resolve(rebuilt ? Number(rebuilt[1]) : Number.NaN);
      else reject(new Error(`npm run reindex exited with ${code ?? signal}: ${tail}`));
    });
  });
}

// ——— the server ———

/**
 * Spawns the server as production runs it (the build, plain node: see infra/build-services.ts) and polls
 * `/ready` every 10 ms: ms from the spawn to the first 200.
 */
async function startServer(env: Record<string, string>, port: number): Promise<{ server: Running; ms: number }> {
  const started = performance.now();
  const server = launch('server/dist/main.js', { ...env, PORT: String(port) }, port);
  const deadline = started + 120_000;
  while (performance.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}`);
    try {
      const response = await fetch(`${server.url}/ready`);
      if (response.ok) return { server, ms: Math.round(performance.now() - started) };
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  await server.stop();
  throw new Error('the server was not ready within 120 s');
}

/** The node process that listens on the port: `launch` runs node itself, but a wrapper would be found through. */
function serverPid(server: Running, port: number): number {
  return listenerPid(port) ?? server.pid;
}

// ——— resuming from a cursor ———

const CREATE = 'mutation ScaleCreate($input: CreateOrderInput!) { createOrder(input: $input) { id } }';
const RESUME = `subscription ScaleResume($after: String) {
  orderStatusChanged(after: $after) { cursor status order { id } }
}`;

/** Creates `count` orders through the server at `rate` per second, open loop. */
async function createOrders(url: string, count: number, rate: number): Promise<number> {
  const started = performance.now();
  const inFlight: Promise<boolean>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const input = {
      customerId: `cus_${String((i % CUSTOMERS) + 1).padStart(4, '0')}`,
      sku: `SKU-${String((i % SKUS) + 1).padStart(4, '0')}`,
      quantity: 1,
      idempotencyKey: randomUUID(),
    };
    inFlight.push(
      graphqlRequest(url, CREATE, { input }).then(
        () => true,
        () => false,
      ),
    );
  }
  return (await Promise.all(inFlight)).filter(Boolean).length;
}

interface LogEntry {
  partition: number;
  seq: number;
  at: string;
}

/**
 * A cursor with exactly `back` logged changes after it: the newest `back` changes of every
 * partition's log together (by time), each partition's position just before its oldest of them.
 */
async function cursorBack(
  redis: Redis,
  prefix: string,
  back: number,
): Promise<{ cursor: string; logged: number; after: number }> {
  const keys = indexKeys(prefix);
  const heads = await redis.hgetall(keys.logHeads);
  const perPartition = new Map<number, LogEntry[]>();
  for (const partition of Object.keys(heads).map(Number)) {
    // Newest first.
    const entries = (await redis.xrevrange(keys.log(partition), '+', '-', 'COUNT', back)) as [string, string[]][];
    perPartition.set(
      partition,
      entries.map(([id, fields]) => ({
        partition,
        seq: seqOfLogEntry(id),
        at: (JSON.parse(fields[1]!) as { change: { at: string } }).change.at,
      })),
    );
  }
  const all = [...perPartition.values()].flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const taken = new Map<number, number>();
  for (const entry of all.slice(0, back)) taken.set(entry.partition, (taken.get(entry.partition) ?? 0) + 1);
  const pairs: string[] = [];
  let after = 0;
  for (const [partition, entries] of [...perPartition].sort(([a], [b]) => a - b)) {
    const k = taken.get(partition) ?? 0;
    after += k;
    // Just before the oldest of the k newest; the head itself when none are taken.
    const seq = k === 0 ? entries[0]!.seq : entries[k - 1]!.seq - 1;
    pairs.push(`${partition}.${seq}`);
  }
  return { cursor: Buffer.from(`v1:${pairs.join(',')}`, 'utf8').toString('base64url'), logged: all.length, after };
}

/** Subscribes once on an open client: ms to the first change, and to the `expected`-th. */
function resumeOnce(
  client: Client,
  cursor: string,
  expected: number,
  timeoutMs: number,
): Promise<{ first: number; all: number | undefined }> {
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    let first: number | undefined;
    let received = 0;
    const finish = (all: number | undefined) => {
      clearTimeout(timer);
      unsubscribe();
      if (first === undefined) reject(new Error('no change received'));
      else resolve({ first, all });
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const unsubscribe = client.subscribe(
      { query: RESUME, variables: { after: cursor } },
      {
        next: (result) => {
          if (result.errors?.length) return reject(new Error(result.errors.map((e) => e.message).join('; ')));
          received += 1;
          const now = performance.now() - sent;
          if (first === undefined) first = now;
          if (received === expected) finish(now);
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => undefined,
      },
    );
  });
}

async function waitForLogged(redis: Redis, prefix: string, atLeast: number, timeoutMs: number): Promise<number> {
  const keys = indexKeys(prefix);
  const deadline = Date.now() + timeoutMs;
  let logged = 0;
  let steadySince = Date.now();
  while (Date.now() < deadline) {
    const heads = Object.keys(await redis.hgetall(keys.logHeads)).map(Number);
    const pipeline = redis.pipeline();
    for (const partition of heads) pipeline.xlen(keys.log(partition));
    const now = ((await pipeline.exec()) ?? []).reduce((sum, [, n]) => sum + Number(n), 0);
    if (now !== logged) steadySince = Date.now();
    logged = now;
    // Enough, and nothing new for a second: the processor has decided what it was given.
    if (logged >= atLeast && Date.now() - steadySince > 1000) return logged;
    await sleep(200);
  }
  return logged;
}

// ——— one size ———

type SizeOptions = {
  seconds: number;
  connections: number;
  subscriptions: number;
  changesBack: number;
  created: number;
};
type SizeEnv = { MONGODB_URI: string; REDIS_URL: string; KAFKA_TOPIC_PREFIX: string } & Record<string, string>;

/** Writes the orders straight into MongoDB, timed. */
async function writeOrders(layout: Layout, env: SizeEnv) {
  step(`${layout.count.toLocaleString('en-US')} orders: writing them into MongoDB (${env.MONGODB_URI})`);
  const t = performance.now();
  const { statuses, pendingIds } = await insertOrders(env.MONGODB_URI, layout);
  const seconds = (performance.now() - t) / 1000;
  step(`  written in ${seconds.toFixed(1)} s (${Math.round(layout.count / seconds)}/s): ${JSON.stringify(statuses)}`);
  return { statuses, pendingIds, insert: { seconds: round1(seconds), perSec: Math.round(layout.count / seconds) } };
}

/**
 * When `npm run reindex` fails: the failure recorded, and the same rebuild run here instead (without the
 * tool's lock), so that the rest is measured. Timed from its own start.
 */
async function rebuildHere(env: SizeEnv, redis: Redis, error: unknown) {
  const toolError = (error instanceof Error ? error.message : String(error)).split('\n').at(-2) ?? String(error);
  step(`  npm run reindex failed (${toolError}); rebuildIndex in this process instead, timed from here`);
  const started = performance.now();
  let firstTenThousandSeconds: number | undefined;
  const connection = await mongoose.createConnection(env.MONGODB_URI).asPromise();
  try {
    const prefix = env.KAFKA_TOPIC_PREFIX;
    const done = await rebuildIndex(createModels(connection), new OrderIndex(redis, { prefix }), {
      progressEvery: 10_000,
      onProgress: ({ read, ms }) => {
        if (read === 10_000) firstTenThousandSeconds = ms / 1000;
        if (read % 100_000 === 0) step(`  rebuildIndex: ${read} orders, ${(ms / 1000).toFixed(1)} s`);
      },
    });
    return { started, rebuildSeconds: done.ms / 1000, toolError, firstTenThousandSeconds };
  } finally {
    await connection.close();
  }
}

/** `npm run reindex` on the orders, timed, with the Redis memory the index takes and the stores' CPU. */
async function measureReindex(env: SizeEnv, redis: Redis, count: number, pendingIds: string[]) {
  step('  npm run reindex');
  const before = await usedMemory(redis);
  const pids = storePids();
  const cpuOfStores = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuOf(pid)]));
  const cpuBefore = cpuOfStores();
  let started = performance.now();
  let rebuild: { rebuildSeconds: number; toolError?: string; firstTenThousandSeconds?: number };
  try {
    rebuild = { rebuildSeconds: await reindex(env) };
  } catch (error) {
    ({ started, ...rebuild } = await rebuildHere(env, redis, error));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = Object.fromEntries(
    Object.entries(cpuSince(cpuBefore, cpuOfStores())).map(([name, cpuSeconds]) => [name, round1(cpuSeconds)]),
  );
  const after = await usedMemory(redis);
  const bytesPerOrder = Math.round((after - before) / count);
  // A rebuild marks every PENDING order for the outbox relay (the index it lost held what reached Kafka).
  const index = new OrderIndex(redis, { prefix: env.KAFKA_TOPIC_PREFIX });
  for (let i = 0; i < pendingIds.length; i += 1000) await index.clearUnpublished(pendingIds.slice(i, i + 1000));
  step(
    `  reindexed in ${seconds.toFixed(1)} s (${Math.round(count / seconds)}/s), ` +
      `Redis +${((after - before) / 2 ** 20).toFixed(1)} MB = ${bytesPerOrder} B per order, store CPU ${JSON.stringify(cpuUsed)}`,
  );
  const { rebuildSeconds, toolError, firstTenThousandSeconds } = rebuild;
  return {
    reindex: {
      seconds: round1(seconds),
      perSec: Math.round(count / seconds),
      rebuildSeconds,
      ...(toolError === undefined ? {} : { toolError, firstTenThousandSeconds }),
      cpuSeconds: cpuUsed,
    },
    redis: { usedMemoryBefore: before, usedMemoryAfter: after, bytesPerOrder },
  };
}

/** The server started twice: the first start on a new prefix creates its topics (and waits for their leaders), timed apart. */
async function startMeasuredServer(env: SizeEnv, running: Running[]) {
  const firstStart = await startServer(env, freePort());
  await firstStart.server.stop();
  const port = freePort();
  const { server, ms: startToReadyMs } = await startServer(env, port);
  running.push(server);
  const pid = serverPid(server, port);
  const serverRssAtReadyMb = Math.round(rssBytes(pid) / 2 ** 20);
  step(`  server ready in ${startToReadyMs} ms (the first start, creating the topics: ${firstStart.ms} ms)`);
  return { server, pid, startToReadyMs, firstStartToReadyMs: firstStart.ms, serverRssAtReadyMb };
}

/** The cursor `deepPageDepth` PROCESSED orders down, checked: the page after it is 20 PROCESSED orders. */
async function deepCursorOf(url: string, layout: Layout, statuses: Record<string, number>) {
  // 500,000 orders back where the PROCESSED list is long enough for a page below that; half of it otherwise.
  const processed = statuses.PROCESSED ?? 0;
  const deepPageDepth = processed > 500_000 + 20 ? 500_000 : Math.floor(processed / 2);
  const deepCursor = processedCursorAt(layout, deepPageDepth);
  const check = await graphqlRequest<{ orders: { edges: { node: { status: string } }[] } }>(
    url,
    `{ orders(status: [PROCESSED], first: 20, after: "${deepCursor}") { edges { node { status } } } }`,
  );
  if (check.orders.edges.length !== 20 || check.orders.edges.some((edge) => edge.node.status !== 'PROCESSED')) {
    throw new Error('the deep page is not 20 PROCESSED orders');
  }
  return { deepPageDepth, deepCursor };
}

/** The first page under load, with the CPU each process spends per request (the load generator included). */
async function measureFirstPage(page: autocannon.Options, serverPid: number, seconds: number) {
  await load({ ...page, duration: 2 });
  const cpuPids = { server: serverPid, ...storePids() };
  const cpuNow = () => ({
    ...Object.fromEntries(Object.entries(cpuPids).map(([name, p]) => [name, cpuOf(p)])),
    loadgen: cpuOf(process.pid),
  });
  const cpuStart: Record<string, number> = cpuNow();
  const firstPage = await load(page);
  const cpuEnd: Record<string, number> = cpuNow();
  const requests = Math.max(1, firstPage.requestsPerSec * seconds);
  const firstPageCpuMsPerRequest = Object.fromEntries(
    Object.entries(cpuSince(cpuStart, cpuEnd))
      .filter(([name]) => name !== 'kafka')
      .map(([name, cpu]) => [name, Math.round((cpu / requests) * 1e4) / 10]),
  );
  step(
    `  orders first page: ${firstPage.requestsPerSec} req/s, p99 ${firstPage.p99} ms; ` +
      `CPU ms per request ${JSON.stringify(firstPageCpuMsPerRequest)}`,
  );
  return { firstPage, firstPageCpuMsPerRequest };
}

/** The queries under closed-loop load: the first page, a page deep in the list, the statistics. */
async function measureQueries(
  url: string,
  serverPid: number,
  orders: { layout: Layout; statuses: Record<string, number> },
  options: SizeOptions,
) {
  const graphql = (query: string) => graphqlLoad(url, query, options.connections, options.seconds);
  const pageQuery = (after?: string) =>
    graphql(
      `{ orders(status: [PROCESSED], first: 20${after ? `, after: "${after}"` : ''}) ` +
        '{ edges { node { id orderNumber status total createdAt } } pageInfo { endCursor } } }',
    );
  const { deepPageDepth, deepCursor } = await deepCursorOf(url, orders.layout, orders.statuses);
  const statsQuery = graphql(
    '{ orderStats { total pending processed failed successRate perMinute { at created processed failed } } }',
  );
  const first = await measureFirstPage(pageQuery(), serverPid, options.seconds);
  await load({ ...pageQuery(deepCursor), duration: 1 });
  const deepPage = await load(pageQuery(deepCursor));
  step(
    `  orders ${deepPageDepth.toLocaleString('en-US')} deep: ${deepPage.requestsPerSec} req/s, p99 ${deepPage.p99} ms`,
  );
  await load({ ...statsQuery, duration: 1 });
  const stats = await load(statsQuery);
  step(`  orderStats: ${stats.requestsPerSec} req/s, p99 ${stats.p99} ms`);
  return { ...first, deepPageDepth, deepPage, stats };
}

/** Resuming `orderStatusChanged(after:)` from a cursor `changesBack` changes back, once a processor has decided orders. */
async function measureResume(url: string, redis: Redis, env: SizeEnv, options: SizeOptions, running: Running[]) {
  step(`  resume: a processor, and ${options.created} orders through createOrder`);
  const processor = launch('processor/src/main.ts', { ...env, PROCESSING_DELAY_MS: '0' });
  running.push(processor);
  await sleep(3000); // the processor joins its group
  const prefix = env.KAFKA_TOPIC_PREFIX;
  const created = await createOrders(url, options.created, 80);
  const logged = await waitForLogged(redis, prefix, Math.min(created, options.changesBack + 1), 120_000);
  if (logged <= options.changesBack) {
    throw new Error(`only ${logged} changes logged (${created} orders created), fewer than ${options.changesBack + 1}`);
  }
  const cursor = await cursorBack(redis, prefix, options.changesBack);
  step(`  ${cursor.logged} changes logged; ${cursor.after} after the cursor; ${options.subscriptions} subscriptions`);
  const client = wsClient(url);
  try {
    // One subscription first, unmeasured: the connection is open and the server's code compiled.
    await resumeOnce(client, cursor.cursor, cursor.after, 30_000);
    const toFirst: number[] = [];
    const toAll: number[] = [];
    let incomplete = 0;
    for (let i = 0; i < options.subscriptions; i++) {
      const { first, all } = await resumeOnce(client, cursor.cursor, cursor.after, 30_000);
      toFirst.push(first);
      if (all === undefined) incomplete += 1;
      else toAll.push(all);
    }
    const resume = {
      logged: cursor.logged,
      changesBack: cursor.after,
      subscriptions: options.subscriptions,
      toFirst: summarize(toFirst),
      toAll: summarize(toAll),
      incomplete,
    };
    step(`  resume ${cursor.after} back: to the first p99 ${resume.toFirst.p99} ms, to all p99 ${resume.toAll.p99} ms`);
    return resume;
  } finally {
    await client.dispose();
  }
}

/** Everything the size made goes: processes, database, the index's Redis keys. */
async function cleanUp(env: SizeEnv, redis: Redis, running: Running[]): Promise<void> {
  step('  cleaning up: processes, database, index keys');
  await Promise.all(running.map((process) => process.stop()));
  const connection = await mongoose.createConnection(env.MONGODB_URI).asPromise();
  await connection.dropDatabase();
  await connection.close();
  const dropped = await new OrderIndex(redis, { prefix: env.KAFKA_TOPIC_PREFIX }).drop();
  step(`  dropped the database and ${dropped} Redis keys`);
  redis.disconnect();
}

async function measureSize(count: number, options: SizeOptions): Promise<ScaleSize> {
  const run = `bench_scale_${count}_${Date.now()}`;
  const env: SizeEnv = {
    MONGODB_URI: `mongodb://127.0.0.1:27017/${run}`,
    REDIS_URL,
    KAFKA_TOPIC_PREFIX: `${run}.`,
    CREATE_ORDER_RATE: '1000000',
    CREATE_ORDER_BURST: '1000000',
  };
  const redis = new Redis(REDIS_URL);
  const running: Running[] = [];
  try {
    const layout: Layout = { count, base: Date.now() - count * SPACING_MS - 5000 };
    const { statuses, pendingIds, insert } = await writeOrders(layout, env);
    const indexed = await measureReindex(env, redis, count, pendingIds);
    const { server, pid, ...start } = await startMeasuredServer(env, running);
    const url = `${server.url}/graphql`;
    const queries = await measureQueries(url, pid, { layout, statuses }, options);
    const serverRssMb = Math.round(rssBytes(pid) / 2 ** 20);
    step(`  server RSS: ${start.serverRssAtReadyMb} MB once ready, ${serverRssMb} MB after the query load`);
    const resume = await measureResume(url, redis, env, options, running);
    return { orders: count, statuses, insert, ...indexed, ...start, serverRssMb, ...queries, resume };
  } finally {
    await cleanUp(env, redis, running);
  }
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export function scaleSizes(quick: boolean): number[] {
  const asked = process.env.SCALE_ORDERS;
  if (asked) {
    const sizes = asked.split(',').map((size) => Number(size.trim()));
    if (sizes.some((size) => !Number.isInteger(size) || size < 1000)) {
      throw new Error(`SCALE_ORDERS: sizes of 1000 orders or more, comma separated; got "${asked}"`);
    }
    return sizes;
  }
  return quick ? [5000, 20_000] : [100_000, 1_000_000];
}

export async function benchScale(options: {
  sizes: number[];
  seconds: number;
  connections: number;
  subscriptions: number;
}): Promise<ScaleResult> {
  // The server measured is the one production runs: built, on plain node.
  await buildServices();
  const sizes: ScaleSize[] = [];
  for (const count of options.sizes) {
    sizes.push(await measureSize(count, { ...options, changesBack: 1000, created: 1200 }));
  }
  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  const grow = (of: (size: ScaleSize) => number) => ratio(of(last), of(first));
  return {
    sizes,
    seconds: options.seconds,
    connections: options.connections,
    growth: {
      orders: grow((s) => s.orders),
      reindexSeconds: grow((s) => s.reindex.seconds),
      redisBytesPerOrder: grow((s) => s.redis.bytesPerOrder),
      startToReadyMs: grow((s) => s.startToReadyMs),
      serverRssMb: grow((s) => s.serverRssMb),
      firstPageP99: grow((s) => s.firstPage.p99),
      firstPageRequestsPerSec: grow((s) => s.firstPage.requestsPerSec),
      deepPageP99: grow((s) => s.deepPage.p99),
      deepPageRequestsPerSec: grow((s) => s.deepPage.requestsPerSec),
      statsP99: grow((s) => s.stats.p99),
      statsRequestsPerSec: grow((s) => s.stats.requestsPerSec),
      resumeFirstP99: grow((s) => s.resume.toFirst.p99),
    },
    targets: SCALE_TARGETS,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.env.BENCH_QUICK === '1';
  const result = await benchScale({
    sizes: scaleSizes(quick),
    seconds: quick ? 3 : 8,
    connections: 16,
    subscriptions: quick ? 20 : 50,
  });
  console.log(JSON.stringify(result, null, 2));
}
