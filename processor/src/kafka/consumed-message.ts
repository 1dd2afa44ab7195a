/** A message as the consumer hands it to its handler: what the processor reads of a Kafka message, and what a dead letter keeps. */
import type { IHeaders } from 'kafkajs';

/** The parts of a consumed Kafka message a dead letter keeps. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** As kafkajs hands them over; the `traceparent` among them says which trace the message belongs to. */
  readonly headers?: IHeaders;
}
