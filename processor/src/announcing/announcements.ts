/**
 * The announcements of one partition's handled messages, in the order the
 * messages came, in two steps:
 *
 * 1. Redis (the order index, the partition's log, the servers' channel), one
 *    message's changes after another's, as soon as each is handled: what
 *    subscribers see does not wait for Kafka.
 * 2. Kafka, in as few transactions as the load allows, each after Redis has
 *    taken everything it holds: what comes while one is in flight, or within
 *    `minIntervalMs` of the last one's start, waits and goes together in the
 *    next. An idle partition sends each message's changes at once; a busy one
 *    sends a transaction every `minIntervalMs` at most, which also bounds how
 *    often a product's stock is written (once per transaction, see
 *    publish-status-change.ts).
 *
 * A transaction covers every message handled up to its last one (their
 * offsets commit in it), so nothing is committed before what it announces. A
 * step that fails for good (the processor stops, or the group rebalances)
 * ends the queue: nothing after it is sent or committed, and those messages
 * are handled again, by the next owner of the partition or, when it stays
 * here, by this instance after the consumer seeks back to them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Announcement, Consumed } from './announcement.ts';
import type { StatusPublisher } from './publish-status-change.ts';

/** Runs a step until it succeeds (or throws when the processor stops); `what` names it in the logs. */
export type UntilDone = (what: string, upTo: Consumed, step: () => Promise<void>) => Promise<void>;

/** The queue's two steps, each tried until it is done. */
export interface AnnouncementSteps {
  /** Redis takes one message's changes. */
  record(announcements: readonly Announcement[], message: Consumed): Promise<void>;
  /** One transaction: the changes of the messages up to `upTo`, with their offsets (and their stock). */
  send(announcements: readonly Announcement[], upTo: Consumed): Promise<void>;
}

/**
 * The steps as the queue needs them. Once a transaction has committed nothing is tried again: a message
 * whose transaction committed is not delivered again, so its changes are never announced twice.
 */
export function announcementSteps(publisher: StatusPublisher, untilDone: UntilDone): AnnouncementSteps {
  return {
    record: (announcements, message) =>
      untilDone('recording announcements in redis', message, () => publisher.record(announcements)),
    send: (announcements, upTo) =>
      untilDone('announcing', upTo, () => publisher.sendInTransaction(announcements, upTo)),
  };
}

export class AnnouncementQueue {
  private queued: Announcement[] = [];
  private upTo: Consumed | undefined;
  /** Settles once Redis has taken everything handed over so far, in order; rejects once a record failed. */
  private recorded: Promise<void> = Promise.resolve();
  private sending: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private lastSendAt = Number.NEGATIVE_INFINITY;
  /** Resolves once `settle` is called: the wait between transactions ends there. */
  private settling: Promise<void>;
  private startSettling: () => void = () => {};
  /** The last offset whose message and everything before it were sent and committed. */
  sentUpTo: string | undefined;

  constructor(
    private readonly steps: AnnouncementSteps,
    private readonly minIntervalMs = 0,
  ) {
    this.settling = new Promise((resolve) => (this.startSettling = resolve));
  }

  /** Whether something handed over is not yet sent. */
  get busy(): boolean {
    return this.sending !== undefined;
  }

  /** Whether a step has failed for good: nothing after it is sent. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Hands over a handled message and what it announces (maybe nothing); throws if a step has failed. */
  add(message: Consumed, announcements: readonly Announcement[]): void {
    if (this.failure !== undefined) throw this.failure.error;
    if (announcements.length > 0) {
      // One after another: a partition's log takes its sequences in order only.
      this.recorded = this.recorded.then(() => this.steps.record(announcements, message));
      this.recorded.catch(() => undefined); // the send that needs it reports the failure
    }
    this.queued.push(...announcements);
    this.upTo = message;
    this.sending ??= this.drain();
  }

  /**
   * Sends what is left at once (no more waiting out the interval: nothing more is coming, and the next
   * fetch waits for this) and resolves once everything handed over is sent; rejects if a step failed.
   */
  async settle(): Promise<void> {
    this.startSettling();
    await this.sending;
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    // Let the messages handled in this tick join the first send.
    await Promise.resolve();
    while (this.upTo !== undefined) {
      const wait = this.lastSendAt + this.minIntervalMs - Date.now();
      if (wait > 0) await Promise.race([sleep(wait), this.settling]);
      const batch = this.queued;
      const upTo = this.upTo;
      const recorded = this.recorded;
      this.queued = [];
      this.upTo = undefined;
      this.lastSendAt = Date.now();
      try {
        await recorded;
        await this.steps.send(batch, upTo);
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
