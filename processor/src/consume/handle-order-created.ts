/**
 * One try at one `orders.created` message: read it, decide the order, claim
 * the decision, reserve the stock, project it onto the order, and say what to
 * announce (the consumer sends announcements in order, see announcements.ts).
 * Every step is safe to repeat: a try that failed half way, or a message
 * delivered again, finishes what was started and never decides twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseOrderCreated,
  positionOf,
  UnreadableEventError,
  type Logger,
  type Models,
  type OrderCreatedEvent,
  type OrderStatus,
} from '@orders/core';
import { decide, type Decision, type ProcessingRules } from '../decide/decide.ts';
import type { ConsumedMessage, SendToDeadLetters } from '../dead-letters/send-to-dead-letters.ts';
import type { Announcement } from '../emit/publish-status-change.ts';
import { claimChange } from '../record/claim-change.ts';
import type { CombinedWrites } from '../record/combined-writes.ts';
import { projectOntoOrder } from '../record/project-order.ts';
import { reserveStock } from '../record/reserve-stock.ts';
import type { StockBook } from '../record/stock-book.ts';
import type { OrderDocument } from '../record/project-order.ts';
import { findChange, sequenced } from '../record/status-change.ts';

export interface OrderHandlerDeps {
  readonly models: Models;
  /** The writes of a decision, combined with those of the other partitions handled at the same time. */
  readonly writes: CombinedWrites;
  readonly stock: StockBook;
  readonly sendToDeadLetters: SendToDeadLetters;
  readonly rules: ProcessingRules;
  readonly delayMs: number;
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

/** Changes handed to the consumer's announcement queue and not yet sent: not to be announced twice. */
export type IsUnsent = (changeId: string) => boolean;

/**
 * `imposed` replaces the rules' decision: the processor gives up on a message
 * that keeps failing by deciding its order FAILED through the same claim.
 */
export async function handleOrderCreated(
  deps: OrderHandlerDeps,
  message: ConsumedMessage,
  imposed?: Decision,
  isUnsent: IsUnsent = () => false,
): Promise<Outcome> {
  const { models } = deps;
  let event;
  try {
    event = parseOrderCreated(message.value);
  } catch (error) {
    if (!(error instanceof UnreadableEventError)) throw error;
    return deadLetter(deps, message, error.message);
  }

  const order = await models.Order.findById(event.orderId).lean();
  if (order === null) return deadLetter(deps, message, 'unknown order');
  const log = deps.logger.child({ orderId: order._id, orderNumber: order.orderNumber });

  if (order.version !== event.version || order.status !== 'PENDING') {
    // Handled before (a redelivery): make sure its changes went out, and change nothing.
    const reentry = await unannouncedReentry(models, event, order, message, isUnsent);
    const change = await findChange(models, event.orderId, event.version + 1);
    const left: Announcement[] = reentry === null ? [] : [reentry];
    if (change !== null && change.publishedAt === null && order.version >= change.version && !isUnsent(change._id)) {
      left.push({
        change: await sequenced(models, change, positionOf(message.partition, message.offset, 'decision')),
        order,
      });
    }
    if (left.length > 0) {
      log.info('announcing changes left unannounced', {
        changeIds: left.map((announcement) => announcement.change._id),
      });
    }
    if (event.version > order.version)
      log.warn('event is newer than its order; ignored', { eventVersion: event.version });
    else log.debug('order already handled', { eventVersion: event.version, version: order.version });
    return { kind: 'redelivered', orderId: order._id, announcements: left };
  }

  // A retried order: its return to PENDING is announced here, in its place in the stream, with the decision.
  const reentry = await unannouncedReentry(models, event, order, message, isUnsent);
  try {
    let decision = imposed;
    if (decision === undefined) {
      if (deps.delayMs > 0) await sleep(deps.delayMs);
      decision = decide(order, await deps.stock.product(order.sku), deps.rules);
    }
    const position = positionOf(message.partition, message.offset, 'decision');
    const { change, won } = await claimChange(models, deps.writes, order, decision, new Date(), position);
    if (!won) log.info('an earlier attempt had decided this order; finishing its decision', { changeId: change._id });
    await reserveStock(deps.writes, order.sku, change);
    if (change.stockAfter !== null) deps.stock.reserved(order.sku, change.stockAfter);
    const updated = await projectOntoOrder(deps.writes, order, change);
    const decided = { change: await sequenced(models, change, position), order: updated };
    log.info('order decided', { status: change.status, error: change.error, stockAfter: change.stockAfter });
    return {
      kind: 'decided',
      orderId: order._id,
      status: change.status,
      error: change.error,
      announcements: reentry === null ? [decided] : [reentry, decided],
    };
  } catch (error) {
    // Whether the stock was written is unknown: the next try reads it from MongoDB.
    deps.stock.forget(order.sku);
    throw error;
  }
}

/**
 * The change that put a retried order back to PENDING (the event's version), if it was never announced:
 * placed in this message's stream just before the decision, ready to announce.
 */
async function unannouncedReentry(
  models: Models,
  event: OrderCreatedEvent,
  order: OrderDocument,
  message: ConsumedMessage,
  isUnsent: IsUnsent,
): Promise<Announcement | null> {
  if (event.version <= 1) return null;
  const change = await findChange(models, event.orderId, event.version);
  if (change === null || change.publishedAt !== null || change.status !== 'PENDING' || isUnsent(change._id))
    return null;
  return { change: await sequenced(models, change, positionOf(message.partition, message.offset, 'reentry')), order };
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
