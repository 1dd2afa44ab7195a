import { describe, expect, it } from 'vitest';
import type { ITopicMetadata } from 'kafkajs';
import { describePartitions } from './cluster-status.ts';

const partition = (partitionId: number, leader: number, replicas: number[], isr: number[]) => ({
  partitionErrorCode: 0,
  partitionId,
  leader,
  replicas,
  isr,
  offlineReplicas: [],
});

describe('describePartitions', () => {
  it('says which node leads which partitions, and which partitions are under-replicated or offline', () => {
    const topics: ITopicMetadata[] = [
      {
        name: 'orders.status',
        partitions: [partition(1, 2, [2, 3, 1], [2, 3, 1]), partition(0, 1, [1, 2, 3], [1, 2])],
      },
      { name: 'orders.created', partitions: [partition(0, 1, [1, 2, 3], [1, 2, 3]), partition(1, -1, [3], [])] },
    ];
    const report = describePartitions(topics);
    expect(report.leads.get(1)).toEqual(['orders.created [0]', 'orders.status [0]']);
    expect(report.leads.get(2)).toEqual(['orders.status [1]']);
    expect(report.leaderCounts.get(1)).toBe(2);
    expect(report.underReplicated).toEqual([
      'orders.created-1 (replicas 3, in sync )',
      'orders.status-0 (replicas 1,2,3, in sync 1,2)',
    ]);
    expect(report.offline).toEqual(['orders.created-1']);
  });
});
