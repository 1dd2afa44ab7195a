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
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { OrderIndex, createModels, createRedis, rebuildIndex, redisConfigFrom } from '@orders/core';
import { buildServices } from '../../infra/build-services.ts';
import { graphqlLoad, load, ratio } from '../lib/load.ts';
import {
  freePort,
  graphqlRequest,
  launch,
  listenerPid,
  repoRoot,
  rssBytes,
  storePids,
  type Running,
} from '../../test/support/index.ts';
import { REDIS_URL, cpuOf, cpuSince, round1, sleep, step, type SizeEnv, type SizeOptions } from './common.ts';
import { SPACING_MS, insertOrders, processedCursorAt, type Layout } from './orders.ts';
import { SCALE_TARGETS, type ScaleResult, type ScaleSize } from './result.ts';
import { measureResume } from './resume.ts';

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

// ——— one size ———

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
  const redis = createRedis(redisConfigFrom({ ...process.env, REDIS_URL }));
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
