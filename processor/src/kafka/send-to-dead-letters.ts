/**
 * Dead letters: a message the processor cannot act on goes to `orders.dlq`
 * with the reason and everything needed to find or replay it, and is recorded
 * once where the API lists it for an operator (see DeadLetterStore), so that
 * consumption goes on and nobody has to dig it out of the partition.
 */
import type { IHeaders, Producer } from 'kafkajs';
import { headerText, type DeadLetter, type DeadLetterStore } from '@orders/core';
import type { ConsumedMessage } from './consumed-message.ts';

export type SendToDeadLetters = (message: ConsumedMessage, reason: string) => Promise<void>;

export function createDeadLetters(producer: Producer, topic: string, store: DeadLetterStore): SendToDeadLetters {
  return async function sendToDeadLetters(message, reason) {
    const at = new Date();
    const letter: DeadLetter = {
      reason,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: message.value?.toString('utf8') ?? null,
      at: at.toISOString(),
    };
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: message.key, value: JSON.stringify(letter) }],
    });
    // After the topic: a try that fails here is repeated whole, and the store records a letter once.
    await store.record({ ...message, headers: textHeaders(message.headers) }, reason, at);
  };
}

/** Headers as text, the last value of a repeated one: what a requeue sends again. */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerText(headers, name);
    if (value !== undefined) text[name] = value;
  }
  return text;
}
