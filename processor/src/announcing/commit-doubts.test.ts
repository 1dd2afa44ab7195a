import { describe, expect, it } from 'vitest';
import { createLogger } from '@orders/core';
import { CommitDoubts, type DoubtOutcome } from './commit-doubts.ts';

const logger = createLogger('processor', 'error');
const cause = (partition: number, offset: number) => ({ topic: 'orders.created', partition, offset: String(offset) });
const item = (partition: number, offset: number) => ({ cause: cause(partition, offset) });

/** Doubts over a group whose committed offsets are `group` (changed by the test), counting renewals and outcomes. */
function doubtsOver(group: Map<number, bigint>) {
  const seen = { renewals: 0, asked: 0, partitions: [] as (readonly number[])[], outcomes: [] as DoubtOutcome[] };
  const doubts = new CommitDoubts({
    committedOffsets: async (_topic, partitions) => {
      seen.asked++;
      seen.partitions.push(partitions);
      return new Map([...group].filter(([partition]) => partitions.includes(partition)));
    },
    renewProducer: async () => void seen.renewals++,
    onSettled: (outcome) => seen.outcomes.push(outcome),
    logger,
  });
  return { doubts, seen };
}

const failing = () => Promise.reject(new Error('the answer was lost'));

describe('CommitDoubts', () => {
  it('asks nothing while commits succeed, and drops what they committed if it comes again', async () => {
    const { doubts, seen } = doubtsOver(new Map());
    await doubts.commit([cause(0, 4), cause(1, 9)], async () => {});
    expect(await doubts.leftToSend([item(0, 4), item(0, 5), item(1, 9), item(2, 0)])).toEqual([item(0, 5), item(2, 0)]);
    expect(seen).toEqual({ renewals: 0, asked: 0, partitions: [], outcomes: [] });
  });

  it('after a failed commit that had committed, renews the producer, asks the group, and sends none of it again', async () => {
    const group = new Map<number, bigint>();
    const { doubts, seen } = doubtsOver(group);
    await expect(doubts.commit([cause(0, 2), cause(0, 7), cause(3, 1)], failing)).rejects.toThrow('lost');
    expect(doubts.inDoubt).toBe(true);
    group.set(0, 8n).set(3, 2n); // what the broker had done
    expect(await doubts.leftToSend([item(0, 7), item(3, 1), item(0, 8)])).toEqual([item(0, 8)]);
    expect(seen).toEqual({ renewals: 1, asked: 1, partitions: [[0, 3]], outcomes: ['committed'] });
    expect(doubts.inDoubt).toBe(false);
    // Settled once: later batches ask nothing more.
    await doubts.leftToSend([item(0, 9)]);
    expect(seen.asked).toBe(1);
  });

  it('after a failed commit that had not committed, sends all of it again', async () => {
    const group = new Map<number, bigint>([[0, 3n]]);
    const { doubts, seen } = doubtsOver(group);
    await expect(doubts.commit([cause(0, 5)], failing)).rejects.toThrow('lost');
    expect(await doubts.leftToSend([item(0, 3), item(0, 4), item(0, 5)])).toEqual([item(0, 3), item(0, 4), item(0, 5)]);
    expect(seen.outcomes).toEqual(['aborted']);
  });

  it('stays in doubt, and sends nothing, while the group cannot be asked', async () => {
    let reachable = false;
    const outcomes: DoubtOutcome[] = [];
    const doubts = new CommitDoubts({
      committedOffsets: async () => {
        if (!reachable) throw new Error('broker away');
        return new Map([[0, 6n]]);
      },
      renewProducer: async () => {},
      onSettled: (outcome) => outcomes.push(outcome),
      logger,
    });
    await expect(doubts.commit([cause(0, 5)], failing)).rejects.toThrow('lost');
    await expect(doubts.leftToSend([item(0, 5)])).rejects.toThrow('broker away');
    expect(doubts.inDoubt).toBe(true);
    reachable = true;
    expect(await doubts.leftToSend([item(0, 5), item(0, 6)])).toEqual([item(0, 6)]);
    expect(outcomes).toEqual(['committed']);
  });
});
