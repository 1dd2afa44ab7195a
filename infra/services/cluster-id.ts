/**
 * Kafka cluster ids, made as Kafka makes them (its Uuid.randomUuid): a random
 * version-4 UUID written as 22 characters of URL-safe base64, drawn again
 * while it starts with "-". Such an id is valid, but `kafka-storage format -t
 * -Xyz…` reads it as an option and fails; one draw in 64 would start so.
 */
import { randomUUID } from 'node:crypto';

/** A UUID's 16 bytes in URL-safe base64 without padding: how Kafka writes a Uuid. */
export function uuidToKafkaId(uuid: string): string {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex').toString('base64url');
}

/** A new cluster id that never starts with "-". `uuid` draws the UUIDs (crypto's randomUUID). */
export function newKafkaClusterId(uuid: () => string = randomUUID): string {
  for (;;) {
    const id = uuidToKafkaId(uuid());
    if (!id.startsWith('-')) return id;
  }
}
