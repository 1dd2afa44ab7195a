/** The Kafka client every service builds: its logs bridged into the service's logger, and its topics ensured. */
import { Kafka, Partitioners, logLevel, type Admin, type LogEntry, type Producer, type logCreator } from 'kafkajs';
import {
  OnePartitionPerSend,
  drainBeforeRestart,
  renewedWhenOutOfStep,
  transactionsOnePartitionPerSend,
} from './kafka-failover.ts';
import type { Logger } from './log.ts';
import { allTopics, topicsFor } from './topics.ts';

/**
 * Said by kafkajs for every idempotent producer whose retries are bounded. Ours are bounded on purpose
 * (see createProducer), so the warning carries no news.
 */
const boundedRetriesWarning = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * CONCURRENT_TRANSACTIONS, as kafkajs words it: a transaction begun while the broker still commits the
 * one before. Logged by kafkajs as an error, though it is routine under load and retried at once (see
 * TRANSACTION_RETRY); a send that still fails is reported by whoever waits for it.
 */
const concurrentTransaction = 'another concurrent operation on the same transaction';
const isRoutineRetry = (fields: Record<string, unknown>, message: string) =>
  message.includes(concurrentTransaction) || String(fields.error ?? '').includes(concurrentTransaction);

/** kafkajs log entries, into a service logger. */
export function bridge(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...fields } = log;
      if (message === boundedRetriesWarning) return;
      const text = `kafka: ${message}`;
      if (isRoutineRetry(fields, message)) logger.debug(text, fields);
      else if (level === logLevel.ERROR) logger.error(text, fields);
      else if (level === logLevel.WARN) logger.warn(text, fields);
      else logger.debug(text, fields);
    };
}

/** The services' Kafka client; its consumers wait for their handlers before a restart (see drainBeforeRestart). */
export function createKafka(clientId: string, brokers: string[], logger: Logger): Kafka {
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: bridge(logger),
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
  loggers.set(kafka, logger);
  return drainBeforeRestart(kafka, logger);
}

/** Each client's logger, for the producers made from it. */
const loggers = new WeakMap<Kafka, Logger>();
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/**
 * The producer every service uses: idempotent with one request in flight, so a retried send is
 * neither duplicated nor reordered within a partition. Its retries are bounded (the client's
 * retry settings) rather than endless: a send that cannot reach the broker fails, and the
 * outbox relay or the consumer's redelivery sends it again later; consumers drop duplicates
 * by the change's id. The partitioner is Kafka's default (murmur2 on the key), named so that
 * kafkajs does not warn about its change of default. A producer whose sequence numbers fall out of
 * step with the broker's after a failover replaces itself (see renewedWhenOutOfStep); it logs
 * through the client's logger unless given one.
 */
export function createProducer(kafka: Kafka, logger?: Logger): Producer {
  const create = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  return renewedWhenOutOfStep(create, logger ?? loggers.get(kafka) ?? silent, new OnePartitionPerSend(kafka));
}

/**
 * A transactional producer (idempotent by necessity): what it sends in one transaction, offsets
 * included, becomes visible to read-committed consumers all at once or not at all. `transactionalId`
 * must be unique to the process using it. A process that dies in a transaction leaves it open, and
 * read-committed readers of its partitions wait, until the broker aborts it after `transactionTimeout`.
 */
export function createTransactionalProducer(kafka: Kafka, transactionalId: string): Producer {
  const producer = kafka.producer({
    transactionalId,
    transactionTimeout: 10_000,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: TRANSACTION_RETRY,
  });
  // A transaction's events are sent one partition at a time, so a leader's move cannot double or drop one.
  return transactionsOnePartitionPerSend(producer, new OnePartitionPerSend(kafka));
}

/**
 * The transactional producer's retries start short. A transaction that begins right after the last
 * one committed is often refused with CONCURRENT_TRANSACTIONS while the broker still writes the last
 * one's markers, for a few milliseconds; at the client's 200 ms first wait, that refusal (about one
 * transaction in 50 under load) stalled every partition's announcements for 200 ms. Doubling from
 * 10 ms, the retries still span about 25 s, as long as the client's, for a broker that is away.
 */
const TRANSACTION_RETRY = { initialRetryTime: 10, retries: 13, maxRetryTime: 5000 };

export interface TopicOptions {
  /**
   * Replicas of each topic created; by default min(3, the brokers in the cluster): one on the single
   * broker, three on a cluster. Refused when larger than the brokers the cluster has.
   */
  readonly replicationFactor?: number;
}

/**
 * The replicas that must have a write of `orders.created` and `orders.status` before an `acks: all`
 * send succeeds: two of three on a cluster, so one broker may be lost with nothing acknowledged lost,
 * and producing stops (rather than risking a write held by one broker alone) when two are lost.
 */
export const minInsyncReplicas = (replicationFactor: number): number => Math.max(1, Math.min(2, replicationFactor - 1));

/**
 * Creates the system's topics with their partition counts, replicated for the cluster's size (see
 * TopicOptions), and adds partitions where a topic has too few. A topic that exists keeps its replicas.
 */
export async function ensureTopics(kafka: Kafka, prefix = '', options: TopicOptions = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = allTopics(topicsFor(prefix));
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      const { brokers } = await admin.describeCluster();
      const replicationFactor = options.replicationFactor ?? Math.min(3, brokers.length);
      if (replicationFactor > brokers.length) {
        throw new Error(
          `cannot create ${missing.map((topic) => topic.name).join(', ')} with ${replicationFactor} replicas: ` +
            `the cluster has ${brokers.length} broker${brokers.length === 1 ? '' : 's'} up`,
        );
      }
      const topics = topicsFor(prefix);
      const guarded = new Set([topics.created.name, topics.status.name]);
      await admin.createTopics({
        // kafkajs' own wait for leaders fails when the broker it asks has not heard of a topic yet
        // (UNKNOWN_TOPIC_OR_PARTITION, routine on a cluster): waitForLeaders below waits instead.
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor,
          // On one broker nothing is added: the topics are made as they always were.
          configEntries:
            replicationFactor > 1 && guarded.has(topic.name)
              ? [{ name: 'min.insync.replicas', value: String(minInsyncReplicas(replicationFactor)) }]
              : [],
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((topic) => topic.name),
      );
    }
    const present = wanted.filter((topic) => existing.has(topic.name));
    if (present.length === 0) return;
    const { topics } = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
    const grow = present.filter((topic) => {
      const found = topics.find((meta) => meta.name === topic.name);
      return found !== undefined && found.partitions.length < topic.partitions;
    });
    if (grow.length > 0) {
      await admin.createPartitions({
        topicPartitions: grow.map((topic) => ({ topic: topic.name, count: topic.partitions })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once every partition of `topics` has a leader, asking again while a broker has not heard of them. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const led = await admin.fetchTopicMetadata({ topics }).then(
      (metadata) =>
        metadata.topics.length === topics.length &&
        metadata.topics.every((topic) => topic.partitions.every((partition) => partition.leader >= 0)),
      (error: unknown) => {
        if (Date.now() > deadline) throw error;
        return false;
      },
    );
    if (led) return;
    if (Date.now() > deadline)
      throw new Error(`${topics.join(', ')}: no leader for every partition after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
