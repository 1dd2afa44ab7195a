/**
 * The commit bookkeeping of one partition's batch: which message was handled
 * last, which offset was committed last, and the hand-off of handled messages
 * to the partition's announcement queue. An offset is committed only once its
 * message and every one before it are handled and announced: a message that
 * announces something (or comes while the queue is sending) goes through the
 * queue, whose transactions commit its offset; one that announces nothing
 * while the queue is idle is committed here, in groups of `commitEvery`
 * messages or `commitAfterMs`, whichever comes first. Once a send has failed,
 * nothing more is taken or committed, not even a message that announces
 * nothing: its offset would commit the unsent ones before it.
 *
 * Pure logic: Kafka is behind `commit` and the queue behind `PartitionQueue`.
 */
import type { Announcement, Consumed } from '../announcing/announcement.ts';

/** What the tracker needs of the partition's announcement queue (see announcements.ts). */
export interface PartitionQueue {
  /** Whether something handed over is not yet sent. */
  readonly busy: boolean;
  /** Whether a step has failed: what it held was not sent, and nothing after it may be committed. */
  readonly failed: boolean;
  /** The last offset whose message and everything before it were sent and committed by the queue. */
  readonly sentUpTo: string | undefined;
  /** Throws once a step of the queue has failed. */
  add(message: Consumed, announcements: readonly Announcement[]): void;
  /** Resolves once everything handed over is sent; rejects if a step failed. */
  settle(): Promise<void>;
}

export interface OffsetTrackerOptions {
  readonly queue: PartitionQueue;
  /** Commits the partition's offset `next` (one past the last message handled). */
  readonly commit: (next: string) => Promise<void>;
  /** Commit after this many handled messages that announce nothing... */
  readonly commitEvery?: bigint;
  /** ...or this long after the last commit, whichever is first. */
  readonly commitAfterMs?: number;
  readonly now?: () => number;
}

const COMMIT_EVERY = 100n;
const COMMIT_AFTER_MS = 200;

const later = (a: bigint, b: bigint) => (a > b ? a : b);

export class OffsetTracker {
  private handled: string | undefined;
  private committed: string | undefined;
  private lastCommitAt: number;
  /** Whether the queue refused a message: what follows it is neither sent nor committed. */
  private refused = false;
  private readonly queue: PartitionQueue;
  private readonly commitEvery: bigint;
  private readonly commitAfterMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OffsetTrackerOptions) {
    this.queue = options.queue;
    this.commitEvery = options.commitEvery ?? COMMIT_EVERY;
    this.commitAfterMs = options.commitAfterMs ?? COMMIT_AFTER_MS;
    this.now = options.now ?? Date.now;
    this.lastCommitAt = this.now();
  }

  /** The last offset committed, by this tracker or by the queue's transactions. */
  get committedUpTo(): string | undefined {
    return this.committed;
  }

  /**
   * Takes a handled message into the queue (or the next commit). False when the queue has failed
   * (the processor stops, or the group rebalances): the caller stops handling this batch.
   */
  async accept(message: Consumed, announcements: readonly Announcement[]): Promise<boolean> {
    if (this.queue.failed) {
      // Even a message that announces nothing stops here: committing its offset would skip the
      // messages the failed send held, which are to be handled again (see finish).
      this.refused = true;
      return false;
    }
    this.handled = message.offset;
    if (announcements.length > 0 || this.queue.busy) {
      try {
        this.queue.add(message, announcements);
      } catch {
        // What was not sent is handled again: by this instance after a seek (see finish), or by the next owner.
        this.refused = true;
        return false;
      }
    } else if (this.dueForCommit(message.offset)) {
      await this.commit();
    }
    return true;
  }

  /**
   * Ends the batch: waits until the queue has sent everything, then commits what is left. When a send
   * failed nothing more is committed, and the result is the offset to handle again from (the first
   * message neither committed nor sent), for a consumer that still owns the partition; else undefined.
   */
  async finish(firstOffset: string | undefined): Promise<string | undefined> {
    const failed = await this.queue.settle().then(
      () => this.refused,
      () => true,
    );
    if (!failed) {
      await this.commit();
      return undefined;
    }
    const done = [this.queue.sentUpTo, this.committed]
      .filter((offset): offset is string => offset !== undefined)
      .map(BigInt)
      .reduce(later, BigInt(firstOffset ?? '0') - 1n);
    return (done + 1n).toString();
  }

  private dueForCommit(offset: string): boolean {
    return (
      BigInt(offset) - BigInt(this.committed ?? -1) >= this.commitEvery ||
      this.now() - this.lastCommitAt >= this.commitAfterMs
    );
  }

  /** Commits what was handled and announced; only while nothing is being sent (a send commits its own). */
  private async commit(): Promise<void> {
    const upTo = this.handled;
    if (upTo === undefined || upTo === this.committed) return;
    if (this.queue.sentUpTo !== upTo) await this.options.commit((BigInt(upTo) + 1n).toString());
    this.committed = upTo;
    this.lastCommitAt = this.now();
  }
}
