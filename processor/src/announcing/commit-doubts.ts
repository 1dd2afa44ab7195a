/**
 * A Kafka transaction whose commit failed may have committed all the same:
 * the commit reached the broker and took effect, and only its answer was lost
 * (a broker going away, or stopped, in the middle of it). Sending its events
 * again in a new transaction would put them in `orders.status` twice. kafkajs
 * cannot retry a commit that failed, so the doubt is settled the other way:
 *
 * 1. the producer is renewed: a fresh one, with the same transactional id,
 *    whose InitProducerId the broker answers only once it has ended the
 *    doubtful transaction (finished a commit that had reached it, aborted one
 *    that had not);
 * 2. the consumer group's committed offsets then tell which it was: the
 *    transaction committed its messages' offsets with its events, so an
 *    offset past a message means its events are in the log. They are read
 *    once none is pending: a plain read right after the broker finished a
 *    commit can still give the offsets from before it.
 *
 * Whatever is known committed is not sent again, in this or any later
 * transaction: a message handled again after a seek (announcements.ts) is
 * dropped here rather than announced twice.
 */
import type { Logger } from '@orders/core';
import type { Consumed } from './announcement.ts';

/**
 * The consumer group's committed offsets of some of a topic's partitions, none of them pending (see
 * kafka/stable-offsets.ts): the next offset to read, per partition; partitions without one left out.
 */
export type CommittedOffsets = (topic: string, partitions: readonly number[]) => Promise<ReadonlyMap<number, bigint>>;

export type DoubtOutcome = 'committed' | 'aborted';

export interface CommitDoubtsDeps {
  readonly committedOffsets: CommittedOffsets;
  /** Replaces the transactional producer (see RenewableProducer.renew). */
  readonly renewProducer: () => Promise<void>;
  /** Told how each doubtful transaction turned out. */
  readonly onSettled?: (outcome: DoubtOutcome) => void;
  readonly logger: Logger;
}

/** A partition's place in a transaction: the offset its commit makes the group's. */
interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly next: bigint;
}

const keyOf = ({ topic, partition }: Pick<Consumed, 'topic' | 'partition'>) => `${topic}:${partition}`;

/** Per topic and partition, one past the last message of `causes`: what their transaction commits. */
function positionsOf(causes: readonly Consumed[]): Position[] {
  const next = new Map<string, Position>();
  for (const { topic, partition, offset } of causes) {
    const position = { topic, partition, next: BigInt(offset) + 1n };
    const known = next.get(keyOf(position));
    if (known === undefined || position.next > known.next) next.set(keyOf(position), position);
  }
  return [...next.values()];
}

export class CommitDoubts {
  /** Per topic and partition: every message before this offset is known to be committed, its events sent. */
  private readonly committed = new Map<string, bigint>();
  /** The transactions whose commit failed and whose outcome is not known yet, each by what it would commit. */
  private doubtful: Position[][] = [];

  constructor(private readonly deps: CommitDoubtsDeps) {}

  /** Whether a transaction's outcome is still to be found out. */
  get inDoubt(): boolean {
    return this.doubtful.length > 0;
  }

  /**
   * What of `batch` is left to send: first settles any doubt, then leaves out every item whose message
   * is known committed. Throws (sending nothing) when the doubt cannot be settled yet: the broker is away.
   */
  async leftToSend<T extends { readonly cause: Consumed }>(batch: readonly T[]): Promise<T[]> {
    if (this.inDoubt) await this.settle();
    return batch.filter(({ cause }) => BigInt(cause.offset) >= (this.committed.get(keyOf(cause)) ?? 0n));
  }

  /** Runs a transaction's commit for the messages `causes`: known committed once it returns, in doubt if it throws. */
  async commit(causes: readonly Consumed[], commit: () => Promise<void>): Promise<void> {
    const positions = positionsOf(causes);
    try {
      await commit();
    } catch (error) {
      this.doubtful.push(positions);
      throw error;
    }
    for (const position of positions) this.learn(position);
  }

  private learn({ topic, partition, next }: Position): void {
    const key = keyOf({ topic, partition });
    if (next > (this.committed.get(key) ?? 0n)) this.committed.set(key, next);
  }

  private async settle(): Promise<void> {
    const doubtful = this.doubtful;
    await this.deps.renewProducer();
    const inDoubt = new Map<string, Set<number>>();
    for (const { topic, partition } of doubtful.flat())
      inDoubt.set(topic, (inDoubt.get(topic) ?? new Set()).add(partition));
    for (const [topic, partitions] of inDoubt) {
      for (const [partition, next] of await this.deps.committedOffsets(topic, [...partitions])) {
        this.learn({ topic, partition, next });
      }
    }
    this.doubtful = [];
    for (const positions of doubtful) {
      // One transaction: its offsets committed all together or not at all.
      const committed = positions.some((position) => (this.committed.get(keyOf(position)) ?? 0n) >= position.next);
      const outcome: DoubtOutcome = committed ? 'committed' : 'aborted';
      this.deps.onSettled?.(outcome);
      this.deps.logger.warn(
        committed
          ? 'a transaction whose commit failed had committed: its events are not sent again'
          : 'a transaction whose commit failed had not committed: its events are sent again',
        { partitions: positions.map(({ partition, next }) => ({ partition, next: next.toString() })) },
      );
    }
  }
}
