/**
 * What the services add to kafkajs 2.2.4 so that losing one broker of a cluster loses and doubles
 * nothing (proven by test/cluster): each piece names the kafkajs behaviour it answers.
 */
import {
  Partitioners,
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type Kafka,
  type Message,
  type Producer,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
  type Transaction,
} from 'kafkajs';
import type { Logger } from './log.ts';

/** kafkajs' own default for a consumer's retries (a consumer given no `retry` gets these, not the client's). */
const CONSUMER_RETRIES = 5;

/**
 * Makes every consumer of `kafka` start again after a crash only once the handlers of its last run
 * have returned.
 *
 * Why: kafkajs keeps the address of a group coordinator or partition leader that died until the
 * consumer rejoins, so losing that broker spends the consumer's retries and crashes it (seen on the
 * three-broker cluster: "Crash: KafkaJSNumberOfRetriesExceeded ... ECONNREFUSED", then a restart).
 * It then restarts the consumer without waiting for the eachBatch calls still running (its runner
 * marks itself idle as it reports the crash, so stop() does not wait for them either). The
 * restarted member fetches from the committed offsets while the old calls may still handle and
 * send what they hold, and since kafkajs sends no group generation with a transaction's offsets
 * (KIP-447), the broker could not fence those calls: their messages would be announced twice.
 * kafkajs awaits `retry.restartOnFailure` before it restarts: the wait goes there.
 */
export function drainBeforeRestart(kafka: Kafka, logger: Logger): Kafka {
  const create = kafka.consumer.bind(kafka);
  kafka.consumer = (config: ConsumerConfig): Consumer => {
    const running = new Set<Promise<unknown>>();
    const restartOnFailure = config.retry?.restartOnFailure;
    const consumer = create({
      ...config,
      retry: {
        retries: CONSUMER_RETRIES,
        ...config.retry,
        async restartOnFailure(error: Error) {
          if (running.size > 0) {
            logger.warn('kafka: consumer crashed; restarting it once its handlers in progress return', {
              group: config.groupId,
              handlers: running.size,
              error,
            });
          }
          while (running.size > 0) await Promise.allSettled([...running]);
          return restartOnFailure === undefined ? true : restartOnFailure(error);
        },
      },
    });
    const track =
      <A extends unknown[]>(handler: (...args: A) => Promise<void>) =>
      (...args: A): Promise<void> => {
        const call = handler(...args);
        running.add(call);
        void call.then(
          () => running.delete(call),
          () => running.delete(call),
        );
        return call;
      };
    const run = consumer.run.bind(consumer);
    consumer.run = (options?: ConsumerRunConfig) =>
      run({
        ...options,
        eachBatch: options?.eachBatch && track(options.eachBatch),
        eachMessage: options?.eachMessage && track(options.eachMessage),
      });
    return consumer;
  };
  return kafka;
}

/** Errors after which an idempotent producer's sequence numbers no longer match the broker's, for good. */
const SEQUENCE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

function sequenceLost(error: unknown): boolean {
  for (let cause = error; typeof cause === 'object' && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    if (SEQUENCE_LOST.has(String((cause as { type?: unknown }).type))) return true;
  }
  return false;
}

/**
 * An idempotent producer that replaces itself (a new producer id, sequences from 0) when the broker
 * says its sequence numbers are out of step, and fails that send as usual.
 *
 * Why: a send whose request timed out while its leader failed over may have been written all the
 * same; kafkajs then sends its next batch at the old sequence number, the new leader answers
 * OUT_OF_ORDER_SEQUENCE_NUMBER, and kafkajs (which treats that as final) fails every send after it
 * for as long as the process lives: in the first three-broker run the server's producer refused
 * every order from the first broker loss on. The failed send is retried by its caller (the outbox
 * relay, a redelivery); consumers already drop an event they have seen.
 */
export function renewedWhenOutOfStep(create: () => Producer, logger: Logger, split?: OnePartitionPerSend): Producer {
  let current = create();
  let connecting: Promise<void> | undefined;
  const renew = async (from: Producer, error: unknown) => {
    if (from !== current) return; // replaced already
    logger.warn('kafka: producer out of step with the broker (its sends may have been written); replacing it', {
      error,
    });
    current = create();
    if (connecting !== undefined) await (connecting = current.connect());
    void from.disconnect().catch(() => undefined);
  };
  const guarded =
    <A extends unknown[], R>(call: (producer: Producer, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const producer = current;
      try {
        return await call(producer, ...args);
      } catch (error) {
        if (sequenceLost(error)) await renew(producer, error).catch(() => undefined);
        throw error;
      }
    };
  const overrides: Partial<Producer> = {
    connect: () => (connecting = current.connect()),
    disconnect: () => current.disconnect(),
    send: guarded((producer, record: ProducerRecord) =>
      split === undefined ? producer.send(record) : split.send(record, (part) => producer.send(part)),
    ),
    sendBatch: guarded((producer, batch: ProducerBatch) => producer.sendBatch(batch)),
  };
  return new Proxy(current, {
    get: (_, property: keyof Producer) => overrides[property] ?? Reflect.get(current, property),
  });
}

/** The partition of a message among `partitions`, as Kafka's default partitioner chooses it (by its key). */
export function keyPartitioner(partitions: number): (message: Pick<Message, 'key'>) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [],
    isr: [],
  }));
  return ({ key }) => partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}

/**
 * Sends a record one partition at a time (all at once): each kafkajs send then has one leader.
 *
 * Why: kafkajs keeps, across the retries of one send, the brokers that have answered, and on a
 * retry sends to each leader it has no answer from every partition the refreshed metadata gives
 * it. When leaders move between two tries (a broker lost, then back and leading again), a
 * partition already written is written again by its new leader, and one whose new leader had
 * answered is never sent, while the send succeeds (tulios/kafkajs#1798, open). In the first
 * three-broker runs that put two decision events of one order in orders.status (inside one
 * committed transaction) and left orders the server had published missing from orders.created.
 * With one partition a send, a retry goes to that partition's leader whatever it is, with the
 * same sequence numbers, which the broker recognises.
 */
export class OnePartitionPerSend {
  private readonly counts = new Map<string, Promise<number>>();

  constructor(private readonly kafka: Kafka) {}

  /** `send` once per partition of `record`, the partitions chosen as the default partitioner would. */
  async send(record: ProducerRecord, send: (part: ProducerRecord) => Promise<RecordMetadata[]>) {
    const parts = await this.split(record);
    if (parts.length === 1) return send(parts[0]!);
    // Every part settles before the send does: a transaction is aborted only once none is in flight.
    const sent = await Promise.allSettled(parts.map(send));
    const failed = sent.find((part): part is PromiseRejectedResult => part.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return sent.flatMap((part) => (part.status === 'fulfilled' ? part.value : []));
  }

  private async split(record: ProducerRecord): Promise<ProducerRecord[]> {
    const partitionOf = keyPartitioner(await this.partitionsOf(record.topic));
    const byPartition = new Map<number, Message[]>();
    for (const message of record.messages) {
      const partition = partitionOf(message);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), { ...message, partition }]);
    }
    return [...byPartition.values()].map((messages) => ({ ...record, messages }));
  }

  /** A topic's partition count, asked once (the system's topics only ever grow, and only at start). */
  private partitionsOf(topic: string): Promise<number> {
    let count = this.counts.get(topic);
    if (count === undefined) {
      count = (async () => {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
          return topics[0]?.partitions.length ?? 0;
        } finally {
          await admin.disconnect();
        }
      })();
      // Asked again next time if it failed.
      count.catch(() => this.counts.delete(topic));
      this.counts.set(topic, count);
    }
    return count;
  }
}

/**
 * A transactional producer whose transactions send one partition at a time (see OnePartitionPerSend);
 * everything else is the kafkajs producer's.
 */
export function transactionsOnePartitionPerSend(producer: Producer, split: OnePartitionPerSend): Producer {
  const transaction = async (): Promise<Transaction> => {
    const inner = await producer.transaction();
    return Object.assign(Object.create(inner) as Transaction, {
      send: (record: ProducerRecord) => split.send(record, (part) => inner.send(part)),
    });
  };
  return new Proxy(producer, {
    get: (target, property: keyof Producer) =>
      property === 'transaction' ? transaction : Reflect.get(target, property),
  });
}
