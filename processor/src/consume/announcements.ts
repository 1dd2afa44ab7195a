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
 * the stock and the transaction until they are out. Nothing follows the commit: a message whose
 * transaction committed is not delivered again, so its changes are never announced twice.
 */
export function recordThenPublish(publisher: StatusPublisher, untilDone: UntilDone): SendAnnouncements {
  return async (announcements, upTo) => {
    if (announcements.length > 0)
      await untilDone('recording announcements in redis', upTo, () => publisher.record(announcements));
    await untilDone('announcing', upTo, () => publisher.publish(announcements, upTo));
  };
}

export class AnnouncementQueue {
  private queued: Announcement[] = [];
  private upTo: Consumed | undefined;
  private sending: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** The last offset whose message and everything before it were sent and committed. */
  sentUpTo: string | undefined;

  constructor(private readonly send: SendAnnouncements) {}

  /** Whether something handed over is not yet sent. */
  get busy(): boolean {
    return this.sending !== undefined;
  }

  /** Hands over a handled message and what it announces (maybe nothing); throws if a send has failed. */
  add(message: Consumed, announcements: readonly Announcement[]): void {
    if (this.failure !== undefined) throw this.failure.error;
    this.queued.push(...announcements);
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
      this.sentUpTo = upTo.offset;
    }
    this.sending = undefined;
  }
}
