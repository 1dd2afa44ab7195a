import { describe, expect, it } from 'vitest';
import type { Consumer, ConsumerConfig, ConsumerRunConfig, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { drainBeforeRestart, renewedWhenOutOfStep } from './kafka-failover.ts';
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
