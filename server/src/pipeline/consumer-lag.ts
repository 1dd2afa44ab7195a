/**
 * How far the processors' consumer group is behind on a topic, and how many
 * processors are in it: read from the broker (the group's committed offsets
 * against each partition's log end), so that the server's Pipeline panel and
 * the processor's metrics report the same figure.
 */
import type { Admin } from 'kafkajs';

export interface PartitionLag {
  readonly partition: number;
  /** The group's committed offset: the next message it will read (the log start if it has committed none). */
  readonly committed: number;
  /** The log end: the offset the next message written will get. */
  readonly end: number;
  readonly lag: number;
}

export interface GroupHealth {
  readonly partitions: readonly PartitionLag[];
  /** Messages written and not yet committed by the group, over every partition. */
  readonly totalLag: number;
  /** Members of the group (processor instances), 0 when none runs. */
  readonly members: number;
  /** The group's state as the broker reports it ('Stable', 'Empty', 'PreparingRebalance', …). */
  readonly state: string;
}

type LagAdmin = Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets' | 'describeGroups'>;

/** Each partition's lag: a partition the group never committed on counts from the log start. */
export async function readConsumerLag(admin: LagAdmin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [topic] }),
    admin.fetchTopicOffsets(topic),
  ]);
  const byPartition = new Map(
    (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [
      entry.partition,
      Number(entry.offset),
    ]),
  );
  return ends
    .map((entry) => {
      const end = Number(entry.high);
      const start = Number(entry.low);
      const offset = byPartition.get(entry.partition) ?? -1;
      const next = offset < 0 ? start : offset;
      return { partition: entry.partition, committed: next, end, lag: Math.max(0, end - next) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** The group's lag on `topic`, its members and its state, in one read. */
export async function readGroupHealth(admin: LagAdmin, groupId: string, topic: string): Promise<GroupHealth> {
  const [partitions, described] = await Promise.all([
    readConsumerLag(admin, groupId, topic),
    admin.describeGroups([groupId]),
  ]);
  const group = described.groups.find((entry) => entry.groupId === groupId);
  return {
    partitions,
    totalLag: partitions.reduce((sum, entry) => sum + entry.lag, 0),
    members: group?.members.length ?? 0,
    state: group?.state ?? 'Unknown',
  };
}
