/**
 * The announcements of one partition's handled messages, sent in the order the
 * messages came, in as few Kafka transactions as the load allows: while one
 * send is in flight, what the next messages announce waits and goes together
 * in the next. An idle partition sends each message's changes at once; a busy
 * one stops waiting for a transaction per message, which is what held the
 * processor back.
 *
 * A send covers every message handled up to its last one (their offsets commit
 * in the same transaction), so nothing is committed before what it announces.
 * A send that fails for good (the processor stops, or the group rebalances)
 * ends the queue: nothing after it is sent or committed, and those messages are
 * handled again, by the next owner of the partition or, when it stays here,
 * by this instance after the consumer seeks back to them.
 */
import type { Announcement, Consumed, StatusPublisher } from '../emit/publish-status-change.ts';

export type SendAnnouncements = (announcements: readonly Announcement[], upTo: Consumed) => Promise<void>;

/** Runs a step until it succeeds (or throws when the processor stops); `what` names it in the logs. */
export type UntilDone = (what: string, upTo: Consumed, step: () => Promise<void>) => Promise<void>;

/**
 * A send as the queue needs it: Redis (index, log, subscribers) until it has taken the changes, then
 * the transaction until it is out, then the mark that says so until that is written. Once the
 * transaction has committed only the mark is tried again, never the transaction, so a database that
 * fails after it does not put an event in the log twice.
 */
export function publishThenMark(publisher: StatusPublisher, untilDone: UntilDone): SendAnnouncements {
  return async (announcements, upTo) => {
    if (announcements.length > 0)
      await untilDone('recording announcements in redis', upTo, () => publisher.record(announcements));
    await untilDone('announcing', upTo, () => publisher.publish(announcements, upTo));
    if (announcements.length > 0)
      await untilDone('marking announcements sent', upTo, () => publisher.markPublished(announcements));
  };
}

export class AnnouncementQueue {
  private queued: Announcement[] = [];
  private upTo: Consumed | undefined;
  private readonly unsent = new Set<string>();
  private sending: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** The last offset whose message and everything before it were sent and committed. */
  sentUpTo: string | undefined;

  constructor(private readonly send: SendAnnouncements) {}

  /** Whether a change was handed over but not yet sent: a redelivered message must not announce it again. */
  isUnsent(changeId: string): boolean {
    return this.unsent.has(changeId);
  }

  /** Whether something handed over is not yet sent. */
  get busy(): boolean {
    return this.sending !== undefined;
  }

  /** Hands over a handled message and what it announces (maybe nothing); throws if a send has failed. */
  add(message: Consumed, announcements: readonly Announcement[]): void {
    if (this.failure !== undefined) throw this.failure.error;
    for (const announcement of announcements) {
      this.queued.push(announcement);
      this.unsent.add(announcement.change._id);
    }
    this.upTo = message;
    this.sending ??= this.drain();
  }

  /** Resolves once everything handed over is sent; rejects if a send failed. */
  async settle(): Promise<void> {
    await this.sending;
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    // Let the messages handled in this tick join the first send.
    await Promise.resolve();
    while (this.upTo !== undefined) {
      const batch = this.queued;
      const upTo = this.upTo;
      this.queued = [];
      this.upTo = undefined;
      try {
        await this.send(batch, upTo);
      } catch (error) {
        this.failure = { error };
        this.queued = [];
        this.upTo = undefined;
        break;
      }
      for (const announcement of batch) this.unsent.delete(announcement.change._id);
      this.sentUpTo = upTo.offset;
    }
    this.sending = undefined;
  }
}
