/**
 * The processors' consumer group on `orders.created` (its lag per partition, its members), read from
 * the broker and kept for a moment: one reader per server, so that the metrics' scrapes and the
 * Pipeline panel's samples within a second ask the broker once. The server reports the lag rather
 * than the processor, because lag matters most when no processor runs.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '@orders/core';
import { readGroupHealth, type GroupHealth, type PartitionLag } from './consumer-lag.ts';

/** How long a reading is served again before the broker is asked anew. */
export const GROUP_READING_MS = 1000;

export type ReadGroup = () => Promise<GroupHealth>;

/** A reader of the group that asks the broker at most once a second; a failed read is served as it is. */
export function cachedGroupHealth(
  admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets' | 'describeGroups'>,
  groupId: string,
  topic: string,
): ReadGroup {
  let last: { at: number; health: Promise<GroupHealth> } | undefined;
  return () => {
    if (last !== undefined && Date.now() - last.at < GROUP_READING_MS) return last.health;
    const health = readGroupHealth(admin, groupId, topic);
    // Each caller handles the failure; a reading served again is not a failure left unhandled.
    health.catch(() => undefined);
    last = { at: Date.now(), health };
    return health;
  };
}

/** The lag for a scrape: when the broker does not answer, the last lag read, so the scrape still answers. */
export function lastKnownLag(read: ReadGroup, logger: Logger): () => Promise<readonly PartitionLag[]> {
  let known: readonly PartitionLag[] = [];
  return () =>
    read().then(
      (health) => (known = health.partitions),
      (error: unknown) => {
        logger.warn('could not read the consumer lag from the broker; reporting the last reading', { error });
        return known;
      },
    );
}
