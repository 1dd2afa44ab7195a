/**
 * Dead letters: a message the processor cannot act on goes to `orders.dlq`
 * with the reason and everything needed to find or replay it, so that
 * consumption goes on and nobody has to dig it out of the partition.
 */
import type { Producer } from 'kafkajs';
import type { DeadLetter } from '@orders/core';

/** The parts of a consumed Kafka message a dead letter keeps. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export type SendToDeadLetters = (message: ConsumedMessage, reason: string) => Promise<void>;

export function createDeadLetters(producer: Producer, topic: string): SendToDeadLetters {
  return async function sendToDeadLetters(message, reason) {
    const letter: DeadLetter = {
      reason,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: message.value?.toString('utf8') ?? null,
      at: new Date().toISOString(),
    };
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: message.key, value: JSON.stringify(letter) }],
    });
  };
}
