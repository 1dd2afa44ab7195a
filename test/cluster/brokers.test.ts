/**
 * A broker lost under load, on the three-broker cluster (`npm run test:cluster`): one server and one
 * processor take a steady stream of orders while a broker is killed, one hangs, and two of three
 * stop. After each, the fault suite's books: every acknowledged order stored and final, exactly one
 * decision event each in orders.status, stock exact and never negative, the index agreeing. Each
 * fault's highest latency, client-visible errors and time to the first decision are printed, and
 * written to test-results/cluster-report.json.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topicsFor } from '@orders/core';
import { repoRoot } from '../support/index.ts';
import {
  checkBooks,
  readTopic,
  startCluster,
  stockNow,
  waitForDecided,
  waitForFinal,
  type Cluster,
} from '../faults/cluster.ts';
import {
  decisionsHeard,
  leadersOf,
  reportFault,
  signalNode,
  sleep,
  startMissingNodes,
  steadyLoad,
  type FaultReport,
} from './brokers.ts';

/** Orders a second: steady, and modest, for three JVMs, a server and a processor on two cores. */
const RATE = 25;
/** Longer than the processor's consumer session (10 s) and the brokers' session with the quorum (9 s). */
const HANG_MS = 15_000;
const DOWN_MS = 15_000;

const logRoot = path.join(repoRoot, 'test-results', 'cluster-logs', new Date().toISOString().replace(/[:.]/g, '-'));
const reports: FaultReport[] = [];

afterAll(() => {
  if (reports.length === 0) return;
  console.log(`\nbroker faults at ${RATE} orders/s (process logs in ${path.relative(repoRoot, logRoot)}):`);
  console.table(
    reports.map(({ errorSamples, ...report }) => ({ ...report, firstError: errorSamples[0]?.slice(0, 60) ?? '' })),
  );
  writeFileSync(path.join(repoRoot, 'test-results', 'cluster-report.json'), `${JSON.stringify(reports, null, 2)}\n`);
});

/**
 * A system of its own (one server, one processor) on the cluster under a steady load: once orders
 * are being decided, `fault` runs (it resolves once the cluster is whole again); the load goes on a
 * few seconds more, then stops, and the books are checked over every order the client saw
 * acknowledged.
 */
async function underLoad(name: string, fault: (cluster: Cluster) => Promise<void>): Promise<FaultReport> {
  const logDir = path.join(logRoot, name);
  mkdirSync(logDir, { recursive: true });
  process.env.PROCESS_LOG_DIR = logDir; // read by the launcher: one log file per process
  const cluster = await startCluster(`cluster_${name}`);
  try {
    const server = await cluster.startServer();
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();
    const heard = decisionsHeard(cluster, server);
    const load = steadyLoad(server.url, RATE, name);
    let lossAt = 0;
    let endAt = 0;
    try {
      await waitForDecided(cluster.models, 5 * RATE, 120_000);
      lossAt = Date.now();
      await fault(cluster);
      endAt = Date.now();
      await sleep(5_000);
    } finally {
      await load.stop();
    }
    const acknowledged = load.acknowledged.map((order) => order.id);
    await waitForFinal(cluster.models, acknowledged.length, 180_000);
    const report = reportFault(name, load, heard, lossAt, endAt);
    reports.push(report);
    const books = await checkBooks(cluster, acknowledged, initial);
    console.log(
      JSON.stringify({ ...report, problems: books.problems.length, firstProblems: books.problems.slice(0, 3) }),
    );
    if (books.problems.length > 0) await keepEvidence(cluster, books.problems, logDir);
    expect(load.unacknowledged).toEqual([]);
    expect(books.problems).toEqual([]);
    expect(books.processed + books.failed).toBe(books.orders);
    return report;
  } catch (error) {
    // Said at once, with the time: the run's summary comes only after every fault.
    console.error(`${new Date().toISOString()} ${name}: ${error instanceof Error ? error.stack : String(error)}`);
    throw error;
  } finally {
    await cluster.close();
  }
}

/** The node leading the most partitions of the system's orders.created. */
async function busiestLeader(cluster: Cluster) {
  return (await leadersOf(cluster.kafka, topicsFor(cluster.prefix).created.name))[0]!.node;
}

describe('a three-broker Kafka cluster under a steady load of orders', () => {
  it('loses nothing when the broker leading most of orders.created is killed with SIGKILL and started again', async () => {
    const report = await underLoad('kill', async (cluster) => {
      await signalNode(await busiestLeader(cluster), 'SIGKILL');
      await sleep(DOWN_MS);
      await startMissingNodes();
    });
    expect(report.firstNewOrderDecidedMs).toBeDefined();
  });

  it('loses nothing when a broker hangs (SIGSTOP) longer than the session timeout, then resumes', async () => {
    const report = await underLoad('hang', async (cluster) => {
      const node = await busiestLeader(cluster);
      await signalNode(node, 'SIGSTOP');
      try {
        await sleep(HANG_MS);
      } finally {
        await signalNode(node, 'SIGCONT');
      }
      await startMissingNodes(); // returns once the resumed node is back among the brokers
    });
    expect(report.firstNewOrderDecidedMs).toBeDefined();
  });

  it('stops producing with clear errors when two brokers of three stop, and decides every acknowledged order once they are back', async () => {
    let refusal: string | undefined;
    let serverLog = '';
    await underLoad('two-down', async (cluster) => {
      const leaders = await leadersOf(cluster.kafka, topicsFor(cluster.prefix).created.name);
      for (const { node } of leaders.slice(0, 2)) await signalNode(node, 'SIGTERM');
      // A send of our own, as the server's would be, is refused: one replica cannot meet min.insync.replicas=2.
      refusal = await trySend(cluster, topicsFor(cluster.prefix).created.name);
      console.log(`a send with two brokers of three down: ${refusal ?? 'taken'}`);
      await sleep(DOWN_MS);
      serverLog = logsOf('two-down', 'server-');
      await startMissingNodes();
    });
    expect(refusal).toBeDefined();
    // The server said why each order it stored then waited for the outbox relay.
    expect(serverLog).toMatch(/order stored but not yet published/);
  });
});

/** Produces one message with acks from all in-sync replicas and no retry: the error, or undefined if it was taken. */
async function trySend(cluster: Cluster, topic: string): Promise<string | undefined> {
  const producer = cluster.kafka.producer({ retry: { retries: 0 } });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, timeout: 5_000, messages: [{ key: 'probe', value: 'probe' }] });
    return undefined;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

function logsOf(fault: string, prefix: string): string {
  const dir = path.join(logRoot, fault);
  return readdirSync(dir)
    .filter((file) => file.startsWith(prefix))
    .map((file) => readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
}

/** The events of the first orders the books found wrong, from both topics, into the fault's log folder. */
async function keepEvidence(cluster: Cluster, problems: string[], logDir: string): Promise<void> {
  const ids = new Set(problems.slice(0, 5).map((problem) => /order (\w+)/.exec(problem)?.[1]));
  const topics = topicsFor(cluster.prefix);
  const evidence: Record<string, unknown[]> = {};
  for (const topic of [topics.created.name, topics.status.name]) {
    const values = await readTopic(cluster.kafka, topic);
    evidence[topic] = values
      .map((value) => JSON.parse(value) as { orderId?: string })
      .filter((event) => ids.has(event.orderId));
  }
  writeFileSync(path.join(logDir, 'evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
}
