/**
 * What the broker-loss tests need beyond the fault suite's launcher and books: the cluster's nodes
 * to kill, hang and start again, a steady load that times every request, and the decisions as a
 * subscriber hears them, timed. The suite runs with KAFKA_BROKERS set to the cluster's brokers (the
 * vitest project sets it), so the fault suite's systems run on the cluster.
 */
import { spawn } from 'node:child_process';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Kafka } from 'kafkajs';
import { authorization, graphqlRequest, repoRoot, type Running } from '../support/index.ts';
import { clusterNodes, type ClusterNode } from '../../infra/services/kafka-cluster.ts';
import { isAlive, ownedPid } from '../../infra/services/processes.ts';
import { orderIdOf, type Cluster } from '../faults/cluster.ts';

export const nodes = clusterNodes(3);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid of a cluster node started by the services command; throws when it was not. */
export function nodePid(node: ClusterNode): number {
  const pid = ownedPid(node.name);
  if (pid === undefined) {
    throw new Error(`${node.name} is not running: start the cluster with npm run services -- up --kafka-brokers 3`);
  }
  return pid;
}

/** Sends `signal` to a node and, for one that ends it, waits until the process is gone. */
export async function signalNode(node: ClusterNode, signal: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT') {
  const pid = nodePid(node);
  process.kill(pid, signal);
  if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL'); // a controlled shutdown that hangs (no quorum left)
  while (isAlive(pid)) await sleep(100);
}

/**
 * Starts the nodes that are down with the services command, which returns once the cluster does real
 * work. Run as a child process without blocking: the load and the subscriber go on meanwhile.
 */
export function startMissingNodes(timeoutMs = 180_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = spawn(process.execPath, ['--import', 'tsx', 'infra/services/cli.ts', 'up', '--kafka-brokers', '3'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    up.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => up.kill('SIGTERM'), timeoutMs);
    up.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`could not start the cluster's nodes again (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

/** The nodes by how many partitions of `topic` each leads, most first. */
export async function leadersOf(kafka: Kafka, topic: string): Promise<{ node: ClusterNode; leads: number }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions ?? [];
    return nodes
      .map((node) => ({ node, leads: partitions.filter((partition) => partition.leader === node.id).length }))
      .sort((a, b) => b.leads - a.leads);
  } finally {
    await admin.disconnect();
  }
}

export interface Attempt {
  readonly startedAt: number;
  readonly ms: number;
  readonly error?: string;
}

const CREATE = 'mutation Cluster($input: CreateOrderInput!) { createOrder(input: $input) { id } }';
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * A steady load of createOrder at `rate` a second until stopped, as a client would send it: each
 * order with its idempotency key, sent again (up to 20 times, 500 ms apart) when a request fails.
 * Every attempt is timed; an order counts as acknowledged once the server answered it with an id.
 */
export function steadyLoad(url: string, rate: number, keyPrefix: string) {
  const acknowledged: { id: string; at: number }[] = [];
  const attempts: Attempt[] = [];
  const unacknowledged: string[] = [];
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();

  async function order(i: number) {
    const input = {
      customerId: `cus_${String((i % 40) + 1).padStart(4, '0')}`,
      sku: `SKU-${String((i % 24) + 1).padStart(4, '0')}`,
      quantity: 1,
      idempotencyKey: `${keyPrefix}-${i}`,
    };
    for (let attempt = 0; attempt < 20; attempt++) {
      const startedAt = Date.now();
      try {
        const { createOrder } = await withTimeout(
          graphqlRequest<{ createOrder: { id: string } }>(`${url}/graphql`, CREATE, { input }),
          REQUEST_TIMEOUT_MS,
        );
        attempts.push({ startedAt, ms: Date.now() - startedAt });
        acknowledged.push({ id: orderIdOf(createOrder.id), at: Date.now() });
        return;
      } catch (error) {
        attempts.push({ startedAt, ms: Date.now() - startedAt, error: String(error) });
        await sleep(500);
      }
    }
    unacknowledged.push(input.idempotencyKey);
  }

  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const wait = started + (i * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      const running = order(i);
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    }
  })();

  return {
    acknowledged,
    attempts,
    unacknowledged,
    /** Stops sending new orders and resolves once every one sent has its answer. */
    async stop() {
      stopped = true;
      await loop;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const DECISIONS = 'subscription { orderStatusChanged(status: [PROCESSED, FAILED]) { order { id } } }';

/** Every decision a graphql-ws subscriber of `server` hears, with when it heard it. */
export function decisionsHeard(system: Cluster, server: Running) {
  const heard: { id: string; at: number }[] = [];
  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    lazy: false,
    retryAttempts: 20,
    onNonLazyError: () => {},
  });
  system.onClose(() => client.dispose());
  client.subscribe<{ orderStatusChanged: { order: { id: string } } }>(
    { query: DECISIONS },
    {
      next: ({ data }) => data && heard.push({ id: orderIdOf(data.orderStatusChanged.order.id), at: Date.now() }),
      error: () => {},
      complete: () => {},
    },
  );
  return heard;
}

export interface FaultReport {
  readonly fault: string;
  /** Orders acknowledged while the fault lasted, and all through the phase. */
  readonly acknowledged: number;
  readonly maxLatencyMs: number;
  readonly p99LatencyMs: number;
  /** Requests that failed (each sent again by the client) while the fault lasted. */
  readonly clientErrors: number;
  readonly errorSamples: string[];
  /** From the loss to the first decision a subscriber heard after it, of any order. */
  readonly firstDecisionMs: number | undefined;
  /** From the loss to the first decision of an order acknowledged after the loss. */
  readonly firstNewOrderDecidedMs: number | undefined;
  /** The longest a subscriber heard no decision, from the loss until the phase ended. */
  readonly longestSilenceMs: number;
}

/** What the client and a subscriber saw from `lossAt` until `endAt`. */
export function reportFault(
  fault: string,
  load: ReturnType<typeof steadyLoad>,
  heard: readonly { id: string; at: number }[],
  lossAt: number,
  endAt: number,
): FaultReport {
  const during = load.attempts.filter((attempt) => attempt.startedAt >= lossAt && attempt.startedAt <= endAt);
  const latencies = during.map((attempt) => attempt.ms).sort((a, b) => a - b);
  const failures = during.filter((attempt) => attempt.error !== undefined);
  const after = heard.filter((decision) => decision.at >= lossAt).sort((a, b) => a.at - b.at);
  const newOrders = new Set(load.acknowledged.filter((order) => order.at >= lossAt).map((order) => order.id));
  const firstNew = after.find((decision) => newOrders.has(decision.id));
  let longestSilenceMs = 0;
  let last = lossAt;
  for (const decision of after.filter((decision) => decision.at <= endAt)) {
    longestSilenceMs = Math.max(longestSilenceMs, decision.at - last);
    last = decision.at;
  }
  longestSilenceMs = Math.max(longestSilenceMs, Math.min(endAt, after.find((d) => d.at > endAt)?.at ?? endAt) - last);
  return {
    fault,
    acknowledged: load.acknowledged.filter((order) => order.at >= lossAt && order.at <= endAt).length,
    maxLatencyMs: latencies.at(-1) ?? 0,
    p99LatencyMs: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    clientErrors: failures.length,
    errorSamples: [...new Set(failures.map((failure) => failure.error!))].slice(0, 3),
    firstDecisionMs: after[0] === undefined ? undefined : after[0].at - lossAt,
    firstNewOrderDecidedMs: firstNew === undefined ? undefined : firstNew.at - lossAt,
    longestSilenceMs,
  };
}
