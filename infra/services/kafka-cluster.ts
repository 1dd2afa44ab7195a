/**
 * A Kafka 3.9 cluster on loopback, from the same jars as the single broker: `count` nodes in KRaft
 * combined mode (each a broker and a voter of the controller quorum), each with its own ports, data
 * folder (.data/kafka-cluster/node-<n>) and log (.data/run/kafka-node-<n>.log). Its ports are not the
 * single broker's, so both can run at once: node n listens on 19090 + 2n and its controller on the
 * port after it (19092 and 19093 for node 1, 19094 and 19095 for node 2, 19096 and 19097 for node 3).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics, minInsyncReplicas } from '@orders/core';
import { newKafkaClusterId } from './cluster-id.ts';
import { ServiceError } from './errors.ts';
import { ensureJars, java, produceAndFetch } from './kafka.ts';
import { dataDir, infraDir } from './paths.ts';
import { runStep, startDetached, waitFor } from './processes.ts';
import type { NativeService } from './service.ts';

/** The cluster sizes the services command makes: a quorum of 2 survives no loss, so 3 to 5 voters. */
export const CLUSTER_SIZES = [3, 4, 5] as const;

const FIRST_PORT = 19092;
const clusterDir = path.join(dataDir, 'kafka-cluster');
/** Written once the nodes' storage is formatted: what every node was formatted for. */
const identityFile = path.join(clusterDir, 'cluster.json');
const template = path.join(infraDir, 'kafka', 'cluster.properties');

/**
 * Each node's heap is small and its collector serial: three JVMs on two cores, each told it has
 * one processor (so that its thread pools and collector stay small).
 */
const NODE_JVM = ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:ActiveProcessorCount=1'];

export interface ClusterNode {
  readonly id: number;
  readonly name: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
}

export function clusterNodes(count: number): ClusterNode[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    const port = FIRST_PORT + 2 * index;
    return { id, name: `kafka-node-${id}`, port, controllerPort: port + 1, dir: path.join(clusterDir, `node-${id}`) };
  });
}

/** What KAFKA_BROKERS is set to for the services to use the cluster. */
export const clusterBrokers = (count: number): string[] => clusterNodes(count).map((node) => `127.0.0.1:${node.port}`);

/**
 * A client of the whole cluster (`nodes` narrows it to some of them): failing fast for the command's
 * probes, or with the client's usual retries (`retrying`), which creating topics needs: a node that
 * has not yet heard of a topic just created answers UNKNOWN_TOPIC_OR_PARTITION for a moment.
 */
export function clusterClient(clientId: string, count: number, nodes = clusterNodes(count), retrying = false): Kafka {
  return new Kafka({
    clientId,
    brokers: nodes.map((node) => `127.0.0.1:${node.port}`),
    logLevel: logLevel.NOTHING,
    ...(retrying ? {} : { retry: { retries: 0 } }),
  });
}

/** The internal topics' replicas and the brokers' defaults, for the cluster's size. */
function replicationSettings(count: number): string {
  const replicas = Math.min(3, count);
  const inSync = minInsyncReplicas(replicas);
  return [
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${inSync}`,
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${inSync}`,
  ].join('\n');
}

function nodeConfig(node: ClusterNode, count: number): string {
  const voters = clusterNodes(count)
    .map((voter) => `${voter.id}@127.0.0.1:${voter.controllerPort}`)
    .join(',');
  return [
    readFileSync(template, 'utf8'),
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    replicationSettings(count),
    `log.dirs=${path.join(node.dir, 'logs')}`,
    '',
  ].join('\n');
}

interface Identity {
  readonly clusterId: string;
  readonly nodes: number;
}

/**
 * The cluster's id, made once and shared by every node's storage; refuses a size other than the one
 * the storage was formatted for (the quorum's voters are fixed when it first starts).
 */
function identity(count: number): Identity {
  if (existsSync(identityFile)) {
    const found = JSON.parse(readFileSync(identityFile, 'utf8')) as Identity;
    if (found.nodes !== count) {
      throw new ServiceError(
        'kafka-cluster',
        `the cluster in ${clusterDir} was made with ${found.nodes} nodes, not ${count}`,
        `use --kafka-brokers ${found.nodes}, or stop its nodes and remove ${clusterDir} to make a new one`,
      );
    }
    return found;
  }
  mkdirSync(clusterDir, { recursive: true });
  // A Kafka cluster id is 16 random bytes in URL-safe base64.
  const made: Identity = { clusterId: newKafkaClusterId(), nodes: count };
  writeFileSync(identityFile, `${JSON.stringify(made)}\n`);
  return made;
}

const configFile = (node: ClusterNode) => path.join(node.dir, 'server.properties');

/** One node of the cluster, as the services command starts, reuses and probes it. */
export function clusterNode(node: ClusterNode, count: number): NativeService {
  return {
    name: node.name,
    port: node.port,
    startTimeoutMs: 120_000,

    async prepare() {
      ensureJars(node.name);
      const { clusterId } = identity(count);
      mkdirSync(path.join(node.dir, 'logs'), { recursive: true });
      // Written on every start, so that a change to the template reaches every node.
      writeFileSync(configFile(node), nodeConfig(node, count));
      if (!existsSync(path.join(node.dir, 'logs', 'meta.properties'))) {
        runStep(
          node.name,
          'java',
          java(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile(node)], NODE_JVM),
          { cwd: node.dir, hint: `stop the cluster's nodes, remove ${clusterDir} and retry` },
        );
      }
    },

    start() {
      return startDetached({
        name: node.name,
        command: 'java',
        args: java(['kafka.Kafka', configFile(node)], NODE_JVM),
        cwd: node.dir,
      });
    },

    /** Ready once the node answers and the quorum has it registered among the cluster's live brokers. */
    async probe() {
      const admin = clusterClient(`${node.name}-probe`, count, [node]).admin();
      try {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        if (!brokers.some((broker) => broker.nodeId === node.id)) {
          throw new Error(`node ${node.id} answers but is not yet among the cluster's brokers`);
        }
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/**
 * Once every node is ready: a message produced and fetched through the cluster, then the system's
 * topics, created with `replicationFactor` replicas (refused when larger than the cluster).
 */
export async function clusterReady(count: number, replicationFactor: number): Promise<void> {
  if (replicationFactor > count) {
    throw new ServiceError(
      'kafka-cluster',
      `a replication factor of ${replicationFactor} needs ${replicationFactor} brokers; the cluster has ${count}`,
      `use --replication-factor ${count} or less, or a cluster of ${replicationFactor} (--kafka-brokers ${replicationFactor})`,
    );
  }
  // The first fetch through a new cluster waits for its offsets topic to be made and led: retried a while.
  await waitFor('kafka-cluster', () => produceAndFetch(clusterClient('services-probe', count), 'services.probe'), {
    timeoutMs: 60_000,
  });
  await ensureTopics(clusterClient('services-topics', count, clusterNodes(count), true), '', { replicationFactor });
}
