/**
 * What `npm run services -- status --kafka-brokers 3` tells of the cluster beyond each node's state:
 * which partitions each node leads, and which partitions have fewer replicas in sync than they have
 * (under-replicated) or no leader at all (offline), as the cluster's metadata says.
 */
import type { ITopicMetadata } from 'kafkajs';
import { clusterClient, type ClusterNode } from './kafka-cluster.ts';

export interface PartitionsReport {
  /** By node id: `topic [partition, …]` for each topic it leads partitions of. */
  readonly leads: Map<number, string[]>;
  readonly leaderCounts: Map<number, number>;
  /** `topic-partition (replicas …, in sync …)` for each. */
  readonly underReplicated: string[];
  readonly offline: string[];
}

export function describePartitions(topics: readonly ITopicMetadata[]): PartitionsReport {
  const leads = new Map<number, string[]>();
  const leaderCounts = new Map<number, number>();
  const underReplicated: string[] = [];
  const offline: string[] = [];
  for (const topic of [...topics].sort((a, b) => a.name.localeCompare(b.name))) {
    const byLeader = new Map<number, number[]>();
    for (const partition of [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId)) {
      const name = `${topic.name}-${partition.partitionId}`;
      if (partition.leader < 0) offline.push(name);
      else byLeader.set(partition.leader, [...(byLeader.get(partition.leader) ?? []), partition.partitionId]);
      if (partition.isr.length < partition.replicas.length) {
        underReplicated.push(`${name} (replicas ${partition.replicas.join(',')}, in sync ${partition.isr.join(',')})`);
      }
    }
    for (const [leader, partitions] of byLeader) {
      leads.set(leader, [...(leads.get(leader) ?? []), `${topic.name} [${partitions.join(',')}]`]);
      leaderCounts.set(leader, (leaderCounts.get(leader) ?? 0) + partitions.length);
    }
  }
  return { leads, leaderCounts, underReplicated, offline };
}

/** Reads the metadata of every topic through the nodes that answer; undefined when none does. */
export async function readPartitions(
  count: number,
  reachable: readonly ClusterNode[],
): Promise<PartitionsReport | undefined> {
  if (reachable.length === 0) return undefined;
  const admin = clusterClient('services-status', count, [...reachable]).admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    return describePartitions(topics);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
