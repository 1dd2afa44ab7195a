/**
 * StatusFeed: this instance's one reading of the Redis status channel, handed
 * to every status subscription, with the cursor that lets a client resume.
 *
 * Changes arrive in the order their stream's writer announced them, each with
 * its sequence. The feed keeps the last sequence it delivered per stream (its
 * head): a change at or before it is one it already delivered (announced
 * again after a redelivery, or read while catching up) and is dropped. The
 * head after a change, encoded, is that change's cursor.
 *
 * A subscription with a cursor listens first, then reads what it missed from
 * the order index's logs, hands that over, then what arrived meanwhile and live changes,
 * each only if it comes after what it has already handed over. When this
 * instance's own Redis subscription comes back after a break, it does the
 * same for everyone: it holds live changes, reads what the break hid, and
 * delivers that first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, OrderIndex, OrderStatusMessage } from '@orders/core';
import { CatchUpReader } from './catch-up.ts';
import { encodeCursor, isAfter, union, type Vector } from './cursor.ts';
import type { OrderEvents } from './order-events.ts';
import { SinkIterator } from './sink-iterator.ts';

/** A status message as subscriptions receive it: with where the stream stood once it was delivered. */
export interface FedMessage extends OrderStatusMessage {
  /** Every stream's last sequence delivered, this change included. */
  readonly seen: Vector;
  /** `seen`, opaque: pass it back as `after` to resume right after this change. */
  readonly cursor: string;
}

export interface StatusFeedOptions {
  /** The most changes a subscription may catch up on; see CatchUpReader. */
  readonly catchUpLimit: number;
  /** The partitions of `orders.created`: one stream of changes each. */
  readonly partitions: number;
}

type Listener = (message: FedMessage) => unknown;

const placeOf = (message: OrderStatusMessage) => {
  const { partition, seq } = message.change;
  return partition === undefined || seq === undefined ? undefined : { partition, seq };
};

/**
 * The feed's rule for a live change: the head after it, or undefined when `head` already covers it (it
 * was delivered before: announced again after a redelivery, or read while catching up). A message with
 * no place in a stream is always delivered and moves no head.
 */
export function headAfter(head: Vector, message: OrderStatusMessage): Vector | undefined {
  const place = placeOf(message);
  if (place === undefined) return head;
  if (!isAfter(head, place.partition, place.seq)) return undefined;
  return new Map(head).set(place.partition, place.seq);
}

/**
 * A resuming subscription's rule for a live change that comes after its catch-up: what it has seen once
 * the change is handed over (the change's own `seen` joined in), or undefined when it was caught up on
 * it already.
 */
export function seenAfter(seen: Vector, message: FedMessage): Vector | undefined {
  const place = placeOf(message);
  if (place !== undefined && !isAfter(seen, place.partition, place.seq)) return undefined;
  return union(seen, message.seen);
}

export class StatusFeed {
  private head: Vector = new Map();
  private readonly listeners = new Set<Listener>();
  private readonly reader: CatchUpReader;
  /** Live messages held back while this instance catches up after a break. */
  private held: OrderStatusMessage[] | undefined;
  private subscription: number | undefined;

  constructor(
    private readonly index: OrderIndex,
    private readonly events: OrderEvents,
    private readonly logger: Logger,
    options: StatusFeedOptions,
  ) {
    const partitions = Array.from({ length: options.partitions }, (_, partition) => partition);
    this.reader = new CatchUpReader(index, partitions, options.catchUpLimit);
  }

  /** Subscribes to the channel, then learns from the logs' heads how far each stream has been announced. */
  async start(): Promise<void> {
    // Resolves once Redis has confirmed the subscription: nothing announced from here on is missed.
    this.subscription = await this.events.pubsub.subscribe<OrderStatusMessage>(this.events.channels.status, (message) =>
      this.receive(message),
    );
    // A change is appended to its log and published in one step: the heads are exactly what was announced.
    for (const [partition, seq] of await this.index.logHeads()) {
      if (isAfter(this.head, partition, seq)) this.head = new Map(this.head).set(partition, seq);
    }
    this.events.onResubscribed(() => void this.catchUpAfterBreak());
  }

  stop(): void {
    if (this.subscription !== undefined) this.events.pubsub.unsubscribe(this.subscription);
    this.subscription = undefined;
  }

  /** Where every stream stands now, as a cursor. */
  get cursor(): string {
    return encodeCursor(this.head);
  }

  /**
   * Live changes from now on; with `after`, first every change since that point (read from the logs
   * once the subscription is in place), then live ones, none twice. Rejects with BAD_USER_INPUT when
   * the point is too far behind. Only the changes `accepted` (the subscriber's filters: its customer,
   * the statuses it asked for) are queued for it; the others never take its memory.
   */
  async follow(
    after?: Vector,
    accepted: (message: FedMessage) => boolean = () => true,
  ): Promise<AsyncIterableIterator<FedMessage>> {
    if (after === undefined) {
      const sink: SinkIterator<FedMessage> = new SinkIterator(async () => void this.listeners.delete(listener));
      const listener: Listener = (message) => accepted(message) && sink.push(message);
      this.listeners.add(listener);
      return sink;
    }
    let seen: Vector = new Map(after);
    let caughtUp = false;
    const held: FedMessage[] = [];
    const sink: SinkIterator<FedMessage> = new SinkIterator(async () => void this.listeners.delete(listener));
    const handOver = (message: FedMessage) => {
      const next = seenAfter(seen, message);
      if (next === undefined) return;
      seen = next;
      const fed = { ...message, seen, cursor: encodeCursor(seen) };
      if (accepted(fed)) sink.push(fed);
    };
    const listener: Listener = (message) => (caughtUp ? handOver(message) : held.push(message));
    this.listeners.add(listener);
    try {
      for (const message of await this.reader.read(after)) {
        const next = headAfter(seen, message);
        if (next === undefined) continue;
        seen = next;
        const fed = { ...message, seen, cursor: encodeCursor(seen) };
        if (accepted(fed)) sink.push(fed);
      }
    } catch (error) {
      this.listeners.delete(listener);
      throw error;
    }
    caughtUp = true;
    for (const message of held.splice(0)) handOver(message);
    return sink;
  }

  private receive(message: OrderStatusMessage): void {
    if (this.held !== undefined) this.held.push(message);
    else this.deliver(message);
  }

  private deliver(message: OrderStatusMessage): void {
    const head = headAfter(this.head, message);
    if (head === undefined) return;
    this.head = head;
    const fed: FedMessage = { ...message, seen: head, cursor: encodeCursor(head) };
    // A listener is a subscriber's filter and its bounded queue: neither throws, and one never stops the next.
    for (const listener of this.listeners) listener(fed);
  }

  /** After a break in the Redis subscription: deliver what it hid, then what was held meanwhile. */
  private async catchUpAfterBreak(): Promise<void> {
    if (this.held !== undefined) return;
    this.held = [];
    try {
      // ioredis sends SUBSCRIBE again right after `ready`; let it land before reading.
      await sleep(250);
      const missed = await this.reader.read(new Map(this.head));
      for (const message of missed) this.deliver(message);
      this.logger.info('status feed caught up after a break', { missed: missed.length });
    } catch (error) {
      this.logger.warn('status feed could not catch up after a break; subscribers may have missed changes', {
        error,
      });
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const message of held) this.deliver(message);
    }
  }
}
