/**
 * One try at one `orders.created` message: read it, decide the order, claim
 * the decision, project it onto the order, and say what to announce (the
 * consumer sends announcements in order, see announcements.ts). Every step is
 * safe to repeat: a try that failed half way, or a message delivered again,
 * finishes what was started and never decides twice.
 *
 * A new order's event carries the whole order, so deciding it takes no read:
 * the claim, then the order and the product's stock. Anything else (a claim that
 * was there already, a retried order, an event without the order's fields)
 * reads the record first and goes the careful way.
 */
import {
  awaitsDecision,
  newOrder,
  orderFromDocument,
  parseOrderCreated,
  RETRIED_STATUS,
  UnreadableEventError,
  type Logger,
  type Models,
  type Order,
  type OrderCreatedEvent,
  type OrderStatus,
} from '@orders/core';
import { reserve, settle, type Decision } from './decide.ts';
import type { Payments } from '../payments/payment-client.ts';
import type { ConsumedMessage } from '../kafka/consumed-message.ts';
import type { SendToDeadLetters } from '../kafka/send-to-dead-letters.ts';
import type { Announcement } from '../announcing/announcement.ts';
import { changeFor, claimChange, tryClaim } from '../records/claim-change.ts';
import { NoSuchDocumentError, type CombinedWrites } from '../records/combined-writes.ts';
import { projectOntoOrder } from '../records/project-order.ts';
import { reserveStock } from '../records/reserve-stock.ts';
import { positionOf, type StreamPosition } from '../records/sequence.ts';
import type { StockBook } from '../records/stock-book.ts';
import { findChange, isToAnnounceAt, sequenced, type StatusChange } from '../records/status-change.ts';

export interface OrderHandlerDeps {
  readonly models: Models;
  /** The writes of a decision, combined with those of the other partitions handled at the same time. */
  readonly writes: CombinedWrites;
  readonly stock: StockBook;
  readonly sendToDeadLetters: SendToDeadLetters;
  /** The payment service, behind its timeout, retries and breaker. */
  readonly payments: Pick<Payments, 'authorize'>;
  readonly logger: Logger;
}

export type Outcome =
  | {
      readonly kind: 'decided';
      readonly orderId: string;
      readonly status: OrderStatus;
      readonly error: string | null;
      readonly announcements: readonly Announcement[];
    }
  | { readonly kind: 'redelivered'; readonly orderId: string; readonly announcements: readonly Announcement[] }
  | { readonly kind: 'dead-lettered'; readonly reason: string; readonly announcements: readonly [] };

/**
 * Throws what the world made fail (the database, the broker, the payment service unreachable, the
 * breaker open): the caller tries again later, and the order waits PENDING. Only the order itself
 * (its stock, its payment's answer) decides it FAILED.
 */
export async function handleOrderCreated(deps: OrderHandlerDeps, message: ConsumedMessage): Promise<Outcome> {
  let event;
  try {
    event = parseOrderCreated(message.value);
  } catch (error) {
    if (!(error instanceof UnreadableEventError)) throw error;
    return deadLetter(deps, message, error.message);
  }
  const position = positionOf(message.partition, message.offset, 'decision');
  const order = newOrder(event);
  if (order !== null) {
    const outcome = await decideNewOrder(deps, message, order, position);
    if (outcome !== undefined) return outcome;
  }
  return decideFromRecord(deps, message, event, position);
}

/** A new order, from its event alone; undefined when the change was claimed before (the careful way takes over). */
async function decideNewOrder(
  deps: OrderHandlerDeps,
  message: ConsumedMessage,
  order: Order,
  position: StreamPosition,
): Promise<Outcome | undefined> {
  const change = changeFor(order, await decideNow(deps, order), new Date(), position);
  if (!(await tryClaim(deps.writes, change))) return undefined;
  let updated: Order;
  try {
    [updated] = await Promise.all([
      projectOntoOrder(deps.writes, order, change),
      reserveStock(deps.writes, order.sku, change),
    ]);
  } catch (error) {
    if (!(error instanceof NoSuchDocumentError)) throw error;
    // An event about an order that was never stored: the claim goes, and so does the message.
    await deps.writes.removeChange(change._id);
    return deadLetter(deps, message, 'unknown order');
  }
  return decided(deps, order, change, updated, []);
}

/**
 * Where a message's event stands against its order as MongoDB holds it: the order waits at the event's
 * version for a decision (to decide now), or the message was handled before (a redelivery, or a
 * retry's event whose order has moved on), or the event names a version the order never reached.
 */
export type Standing = 'to decide' | 'handled' | 'ahead of its order';

export function standingOf(
  event: Pick<OrderCreatedEvent, 'version'>,
  order: Pick<Order, 'version' | 'status'>,
): Standing {
  if (event.version > order.version) return 'ahead of its order';
  return event.version === order.version && awaitsDecision(order.status) ? 'to decide' : 'handled';
}

/** Whether the decision a handled message had made (if any) stands on its order and is still this message's to announce. */
export function isLeftToAnnounce(
  change: StatusChange | null,
  order: Pick<Order, 'version'>,
  position: StreamPosition,
): change is StatusChange {
  return change !== null && order.version >= change.version && isToAnnounceAt(change, position);
}

/** The careful way: from the order and its changes as MongoDB holds them. */
async function decideFromRecord(
  deps: OrderHandlerDeps,
  message: ConsumedMessage,
  event: OrderCreatedEvent,
  position: StreamPosition,
): Promise<Outcome> {
  const { models } = deps;
  const stored = await models.Order.findById(event.orderId).lean();
  if (stored === null) return deadLetter(deps, message, 'unknown order');
  const order = orderFromDocument(stored);
  const log = deps.logger.child({ orderId: order._id, orderNumber: order.orderNumber });

  const standing = standingOf(event, order);
  if (standing !== 'to decide') {
    // Handled before (a redelivery): make sure its changes went out, and change nothing.
    const reentry = await unannouncedReentry(models, event, order, message);
    const change = await findChange(models, event.orderId, event.version + 1);
    const left: Announcement[] = reentry === null ? [] : [reentry];
    if (isLeftToAnnounce(change, order, position)) {
      left.push({ change: await sequenced(models, change, position), order });
      // Its stock was perhaps never written (a run that failed half way): written again, followed from here.
      await reserveStock(deps.writes, order.sku, change);
      if (change.stockAfter !== null) deps.stock.reserved(order.sku, change.stockAfter);
    }
    if (left.length > 0) {
      log.info('announcing changes left unannounced', {
        changeIds: left.map((announcement) => announcement.change._id),
      });
    }
    if (standing === 'ahead of its order')
      log.warn('event is newer than its order; ignored', { eventVersion: event.version });
    else log.debug('order already handled', { eventVersion: event.version, version: order.version });
    return { kind: 'redelivered', orderId: order._id, announcements: left };
  }

  // A retried order: its return to PENDING is announced here, in its place in the stream, with the decision.
  const reentry = await unannouncedReentry(models, event, order, message);
  // An earlier attempt's claim is followed without deciding again: no payment is asked for a decision made.
  const earlier = await findChange(models, order._id, order.version + 1);
  const { change, won } =
    earlier !== null
      ? { change: earlier, won: false }
      : await claimChange(models, deps.writes, changeFor(order, await decideNow(deps, order), new Date(), position));
  if (!won) log.info('an earlier attempt had decided this order; finishing its decision', { changeId: change._id });
  await reserveStock(deps.writes, order.sku, change);
  const updated = await projectOntoOrder(deps.writes, order, change);
  return decided(deps, order, await sequenced(models, change, position), updated, reentry === null ? [] : [reentry]);
}

/**
 * Stock first, then the payment: an order the stock cannot serve is never charged. The payment's key is
 * the decision's (order and version), so deciding again after a crash or a redelivery replays the first
 * answer and charges nothing more.
 */
async function decideNow(deps: OrderHandlerDeps, order: Order): Promise<Decision> {
  const reservation = reserve(order, await deps.stock.product(order.sku));
  if (reservation.kind === 'refused') return reservation.decision;
  return settle(reservation, await deps.payments.authorize(order));
}

/** A decision that stands on the order: this owner's stock follows it, and it is ready to announce. */
export function decided(
  deps: OrderHandlerDeps,
  order: Order,
  change: StatusChange,
  updated: Order,
  before: Announcement[],
): Outcome {
  if (change.stockAfter !== null) deps.stock.reserved(order.sku, change.stockAfter);
  deps.logger.info('order decided', {
    orderId: order._id,
    orderNumber: order.orderNumber,
    status: change.status,
    error: change.error,
    stockAfter: change.stockAfter,
  });
  return {
    kind: 'decided',
    orderId: order._id,
    status: change.status,
    error: change.error,
    announcements: [...before, { change, order: updated }],
  };
}

/**
 * The change that put a retried order back to PENDING (the event's version), if this message is the one to
 * announce it: placed in this message's stream just before the decision, ready to announce.
 */
async function unannouncedReentry(
  models: Models,
  event: OrderCreatedEvent,
  order: Order,
  message: ConsumedMessage,
): Promise<Announcement | null> {
  if (event.version <= 1) return null;
  const change = await findChange(models, event.orderId, event.version);
  const position = positionOf(message.partition, message.offset, 'reentry');
  if (change === null || change.status !== RETRIED_STATUS || !isToAnnounceAt(change, position)) return null;
  return { change: await sequenced(models, change, position), order };
}

async function deadLetter(deps: OrderHandlerDeps, message: ConsumedMessage, reason: string): Promise<Outcome> {
  await deps.sendToDeadLetters(message, reason);
  deps.logger.warn('message sent to dead letters', {
    reason,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
  });
  return { kind: 'dead-lettered', reason, announcements: [] };
}
