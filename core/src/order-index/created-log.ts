/**
 * `orders.created` and the processors' progress on it, as the index's repair reads them (see
 * repair.ts): committed offsets and partition ends from an admin client, and a range of messages
 * through a consumer of its own, positioned with seek, that commits nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { parseOrderCreated } from '../events.ts';
import type { CreatedLog } from './repair.ts';

/** How long reading a range may take before the repair gives up (and the next check tries again). */
const READ_TIMEOUT_MS = 60_000;

export class KafkaCreatedLog implements CreatedLog {
  private admin: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: Kafka,
    /** The `orders.created` topic's name. */
    private readonly topic: string,
    /** The processors' consumer group. */
    private readonly groupId: string,
  ) {}

  private connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }

  async committedOffsets(): Promise<Map<number, bigint>> {
    const [read] = await (await this.connected()).fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    return new Map(
      (read?.partitions ?? []).map(({ partition, offset }) => [partition, offset === '-1' ? 0n : BigInt(offset)]),
    );
  }

  async endOffsets(): Promise<Map<number, bigint>> {
    const offsets = await (await this.connected()).fetchTopicOffsets(this.topic);
    return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
  }

  async orderIdsBetween(ranges: ReadonlyMap<number, { from: bigint; to: bigint }>): Promise<Map<number, string[]>> {
    const found = new Map<number, string[]>([...ranges.keys()].map((partition) => [partition, []]));
    if (ranges.size === 0) return found;
    const reached = new Map<number, bigint>();
    const groupId = `${this.groupId}-index-repair-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = ranges.get(batch.partition);
          if (range === undefined) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < range.from || offset >= range.to) continue;
            try {
              found.get(batch.partition)!.push(parseOrderCreated(message.value).orderId);
            } catch {
              // A message the processors dead-lettered as unreadable changed no order.
            }
          }
          reached.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
        },
      });
      for (const [partition, { from }] of ranges)
        consumer.seek({ topic: this.topic, partition, offset: from.toString() });
      const deadline = Date.now() + READ_TIMEOUT_MS;
      const done = () => [...ranges].every(([partition, { to }]) => (reached.get(partition) ?? 0n) >= to);
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`could not read ${this.topic} up to the processors' offsets`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await consumer.disconnect();
      // It committed nothing; its group goes with it.
      await (await this.connected()).deleteGroups([groupId]).catch(() => undefined);
    }
    return found;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect();
  }
}
