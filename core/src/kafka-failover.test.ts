import { describe, expect, it } from 'vitest';
import {
  Partitioners,
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type Kafka,
  type Message,
  type Producer,
  type ProducerRecord,
} from 'kafkajs';
import { OnePartitionPerSend, drainBeforeRestart, renewedWhenOutOfStep } from './kafka-failover.ts';
import { createLogger } from './log.ts';

const logger = createLogger('test', 'silent');

/** A stand-in for a kafkajs producer: its sends answer with `outcomes` in turn. */
function fakeProducer(name: string, outcomes: (Error | 'ok')[], log: string[]): Producer {
  return {
    connect: async () => void log.push(`${name} connect`),
    disconnect: async () => void log.push(`${name} disconnect`),
    send: async () => {
      log.push(`${name} send`);
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome !== 'ok') throw outcome;
      return [];
    },
  } as unknown as Producer;
}

const protocolError = (type: string) => Object.assign(new Error(type), { type });

describe('renewedWhenOutOfStep', () => {
  it('fails the send the broker refused as out of step, and sends the next one from a new producer', async () => {
    const log: string[] = [];
    let made = 0;
    const producer = renewedWhenOutOfStep(() => {
      made++;
      return fakeProducer(`p${made}`, made === 1 ? [protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER')] : [], log);
    }, logger);
    await producer.connect();
    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow('OUT_OF_ORDER_SEQUENCE_NUMBER');
    await producer.send({ topic: 't', messages: [] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['p1 connect', 'p1 send', 'p2 connect', 'p1 disconnect', 'p2 send']);
  });

  it('keeps its producer through any other failure', async () => {
    const log: string[] = [];
    let made = 0;
    const producer = renewedWhenOutOfStep(() => {
      made++;
      return fakeProducer(`p${made}`, [protocolError('NOT_ENOUGH_REPLICAS')], log);
    }, logger);
    await producer.connect();
    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow('NOT_ENOUGH_REPLICAS');
    await producer.send({ topic: 't', messages: [] });
    expect(made).toBe(1);
  });
});

describe('drainBeforeRestart', () => {
  it('restarts a crashed consumer only once the batch handlers of its last run have returned', async () => {
    let config: ConsumerConfig | undefined;
    let runConfig: ConsumerRunConfig | undefined;
    const kafka = {
      consumer: (given: ConsumerConfig) => {
        config = given;
        return { run: async (options: ConsumerRunConfig) => void (runConfig = options) } as unknown as Consumer;
      },
    } as unknown as Kafka;
    let finishBatch = () => {};
    const consumer = drainBeforeRestart(kafka, logger).consumer({ groupId: 'g' });
    await consumer.run({ eachBatch: () => new Promise<void>((resolve) => (finishBatch = resolve)) });
    const handling = runConfig!.eachBatch!({} as EachBatchPayload);

    let restarted = false;
    const restart = config!.retry!.restartOnFailure!(new Error('crash')).then((answer) => (restarted = answer));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(restarted).toBe(false);
    finishBatch();
    await handling;
    await restart;
    expect(restarted).toBe(true);
    // kafkajs' own default for a consumer's retries is kept.
    expect(config!.retry!.retries).toBe(5);
  });
});

describe('OnePartitionPerSend', () => {
  it('sends each partition of a record on its own, to the partitions the default partitioner picks', async () => {
    const partitions = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1 }));
    let asked = 0;
    const kafka = {
      admin: () => ({
        connect: async () => {},
        disconnect: async () => {},
        fetchTopicMetadata: async () => {
          asked++;
          return { topics: [{ name: 't', partitions }] };
        },
      }),
    } as unknown as Kafka;
    const split = new OnePartitionPerSend(kafka);
    const sent: ProducerRecord[] = [];
    const messages = Array.from({ length: 40 }, (_, i) => ({ key: `SKU-${i % 24}`, value: String(i) }));
    await split.send({ topic: 't', acks: -1, messages }, async (part) => {
      sent.push(part);
      return [];
    });
    await split.send({ topic: 't', messages: messages.slice(0, 1) }, async () => []);

    const partitioner = Partitioners.DefaultPartitioner();
    // Where the message would have gone without the split: the partition it was sent to must be that one.
    const expected = (message: Message) =>
      partitioner({
        topic: 't',
        partitionMetadata: partitions as never,
        message: { key: message.key, value: message.value },
      });
    for (const part of sent) {
      expect(part.acks).toBe(-1);
      expect(new Set(part.messages.map((message) => message.partition)).size).toBe(1);
      for (const message of part.messages) expect(message.partition).toBe(expected(message));
    }
    expect(sent.flatMap((part) => part.messages.map((message) => message.value)).sort()).toEqual(
      messages.map((message) => message.value).sort(),
    );
    expect(asked).toBe(1);
  });
});
