/**
 * A broker lost under load, on the three-broker cluster (`npm run test:cluster`): one server and one
 * processor take a steady stream of orders while a broker is killed, one hangs, and two of three
 * stop. After each, the fault suite's books: every acknowledged order stored and final, exactly one
 * decision event each in orders.status, stock exact and never negative, the index agreeing. Each
 * fault's highest latency, client-visible errors and time to the first decision are printed, and
 * written to test-results/cluster-report.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topicsFor } from '@orders/core';
import { repoRoot, waitFor } from '../support/index.ts';
import { clusterNodes } from '../../infra/services/kafka-cluster.ts';
import { java } from '../../infra/services/kafka.ts';
import {
  checkBooks,
  readTopic,
  startCluster,
  stockNow,
  waitForDecided,
  waitForFinal,
  type Books,
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
const STORED_NOT_PUBLISHED = /order stored but not yet published/;

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
    const evidence = books.problems.length > 0 ? await keepEvidence(cluster, books, logDir) : [];
    expect(load.unacknowledged).toEqual([]);
    expect(books.problems, evidence.join('\n')).toEqual([]);
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
      // The server's own sends give up only once their retries run out (about 20 s of backoff), and
      // how much of that the outage covers depends on the machine: the brokers stay down until it has.
      serverLog = await waitFor(
        'the server to leave an order it stored to the outbox relay',
        () => {
          const log = logsOf('two-down', 'server-');
          return STORED_NOT_PUBLISHED.test(log) && log;
        },
        60_000,
        500,
      );
      await startMissingNodes();
    });
    expect(refusal).toBeDefined();
    // The server said why each order it stored then waited for the outbox relay.
    expect(serverLog).toMatch(STORED_NOT_PUBLISHED);
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

/**
 * The events of the first orders the books found wrong, from both topics, into the fault's log folder,
 * with the brokers' dumps of orders.status; resolves with what the dumps tell of each partition.
 */
async function keepEvidence(cluster: Cluster, books: Books, logDir: string): Promise<string[]> {
  const ids = new Set(
    books.wrongEvents.length > 0
      ? books.wrongEvents.slice(0, 5)
      : books.problems.slice(0, 5).map((problem) => /order (\w+)/.exec(problem)?.[1]),
  );
  const topics = topicsFor(cluster.prefix);
  const evidence: Record<string, unknown[]> = {};
  for (const topic of [topics.created.name, topics.status.name]) {
    const values = await readTopic(cluster.kafka, topic);
    evidence[topic] = values
      .map((value) => JSON.parse(value) as { orderId?: string })
      .filter((event) => ids.has(event.orderId));
  }
  writeFileSync(path.join(logDir, 'evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
  return dumpStatusLogs(topics.status.name, logDir);
}

/**
 * The broker's own account of orders.status on each node (Kafka's DumpLogSegments: every batch with its
 * producer id and epoch, whether it is transactional, and the commit and abort markers), so that a
 * second event can be told apart as a second committed write or as an aborted one a reader let through,
 * and a missing one as never written or held in a transaction left open. Resolves with a line per
 * partition and node (see transactionsIn).
 */
function dumpStatusLogs(topic: string, logDir: string): string[] {
  const summary: string[] = [];
  for (const node of clusterNodes(3)) {
    const logs = path.join(node.dir, 'logs');
    const partitions = existsSync(logs) ? readdirSync(logs).filter((dir) => dir.startsWith(`${topic}-`)) : [];
    const files = partitions.flatMap((dir) =>
      readdirSync(path.join(logs, dir))
        .filter((file) => file.endsWith('.log'))
        .map((file) => path.join(logs, dir, file)),
    );
    if (files.length === 0) continue;
    const dump = spawnSync(
      'java',
      java(['kafka.tools.DumpLogSegments', '--print-data-log', '--files', files.join(',')], []),
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    writeFileSync(path.join(logDir, `${node.name}-status-log.txt`), `${dump.stdout}${dump.stderr}`);
    summary.push(...transactionsIn(dump.stdout).map((line) => `${node.name} ${line}`));
  }
  return summary;
}

interface PartitionLog {
  /** One past the last offset dumped. */
  end: number;
  aborted: number;
  committed: number;
  /** Per producer id, the first offset of its transaction not yet ended by a marker. */
  readonly open: Map<string, number>;
}

/**
 * From a DumpLogSegments dump: per partition, where its log ends, how many transactions ended each
 * way, and which are still open (a producer's transactional batch with no marker after it), which
 * hold back every read-committed reader of the partition.
 */
function transactionsIn(dump: string): string[] {
  const partitions = new Map<string, PartitionLog>();
  let current: PartitionLog | undefined;
  let markerOf: string | undefined;
  for (const line of dump.split('\n')) {
    const file = /^Dumping .*\/([^/]+)\/\d+\.log$/.exec(line);
    if (file) {
      const name = file[1]!;
      current = partitions.get(name) ?? { end: 0, aborted: 0, committed: 0, open: new Map() };
      partitions.set(name, current);
      continue;
    }
    const batch =
      /^baseOffset: (\d+) lastOffset: (\d+) .*producerId: (-?\d+) .*isTransactional: (\w+) isControl: (\w+)/.exec(line);
    if (batch && current) {
      const [, base, last, producer, transactional, control] = batch;
      current.end = Number(last) + 1;
      if (control === 'true') markerOf = producer;
      else if (transactional === 'true' && !current.open.has(producer!)) current.open.set(producer!, Number(base));
      continue;
    }
    const marker = /endTxnMarker: (\w+)/.exec(line);
    if (marker && current && markerOf !== undefined) {
      if (marker[1] === 'ABORT') current.aborted++;
      else current.committed++;
      current.open.delete(markerOf);
      markerOf = undefined;
    }
  }
  return [...partitions].map(([name, log]) => {
    const open = [...log.open].map(([producer, from]) => `producer ${producer}'s since offset ${from}`);
    return `${name}: ends at offset ${log.end}; ${log.committed} transactions committed, ${log.aborted} aborted, ${open.length === 0 ? 'none open' : `open: ${open.join(', ')}`}`;
  });
}
