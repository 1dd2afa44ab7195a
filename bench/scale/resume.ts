/**
 * Resuming `orderStatusChanged(after:)`: orders created through the server for a processor to decide,
 * a cursor a fixed number of logged changes back, and how long a subscription from it takes to
 * receive the first missed change and all of them.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import type { Redis } from 'ioredis';
import { indexKeys, seqOfLogEntry } from '@orders/core';
import { graphqlRequest, launch, wsClient, type Running } from '../../test/support/index.ts';
import { summarize } from '../lib/latency.ts';
import { sleep, step, type SizeEnv, type SizeOptions } from './common.ts';
import { CUSTOMERS, SKUS } from './orders.ts';

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

/** Resuming `orderStatusChanged(after:)` from a cursor `changesBack` changes back, once a processor has decided orders. */
export async function measureResume(url: string, redis: Redis, env: SizeEnv, options: SizeOptions, running: Running[]) {
  step(`  resume: a processor, and ${options.created} orders through createOrder`);
  const processor = launch('processor/src/main.ts', env);
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
