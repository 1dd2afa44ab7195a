/**
 * createOrder: validate, store the order PENDING, publish it, index it. The
 * same idempotency key from the same customer returns the same order and sends
 * nothing twice, because it decides the order's id.
 *
 * Before the order is stored it is marked unpublished (in the index, or in
 * MongoDB while Redis is away: unpublished-marks.ts): a server that dies after
 * storing it and before producing it leaves the mark, and the outbox relay of
 * any instance finds the order by it. Once the order is in Kafka, one Redis
 * round trip lists it, clears the mark and tells subscribers.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import { z } from 'zod';
import {
  awaitsDecision,
  Batcher,
  continueTrace,
  failuresByIndex,
  isDuplicateKey,
  newOrderDocument,
  orderFromDocument,
  orderToWire,
  type Logger,
  type Models,
  type Order,
  type OrderDocument,
} from '@orders/core';
import type { IndexWrites } from './index-writes.ts';
import type { CatalogueCache } from '../catalogue/catalogue-cache.ts';
import { badInput, notFound } from '../errors.ts';
import type { OrderPublisher } from './publish-order.ts';
import type { Mark, UnpublishedMarks } from './unpublished-marks.ts';

export const MAX_QUANTITY = 1000;

export const CreateOrderInput = z.object({
  customerId: z.string().trim().min(1, 'customerId must not be empty').max(64, 'customerId is too long'),
  sku: z.string().trim().min(1, 'sku must not be empty').max(64, 'sku is too long'),
  quantity: z
    .number()
    .int('quantity must be a whole number')
    .min(1, 'quantity must be at least 1')
    .max(MAX_QUANTITY, `quantity must be at most ${MAX_QUANTITY}`),
  idempotencyKey: z
    .string()
    .min(1, 'idempotencyKey must not be empty')
    .max(128, 'idempotencyKey is too long')
    .nullish(),
});
export type CreateOrderInput = z.infer<typeof CreateOrderInput>;

export function validateCreateOrder(input: unknown): CreateOrderInput {
  const result = CreateOrderInput.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? 'input');
  throw badInput(issue?.message ?? 'invalid input', field);
}

/** The order's id: random, or decided by the customer and their idempotency key, so a repeated request finds its order. */
export function orderIdFor(customerId: string, idempotencyKey: string | null | undefined): string {
  if (!idempotencyKey) return randomBytes(12).toString('hex');
  return createHash('sha256').update(`${customerId}\0${idempotencyKey}`).digest('hex').slice(0, 24);
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** ORD-YYMMDD-XXXXXX: readable over the phone, unique by its unique index. */
export function newOrderNumber(now: Date): string {
  const day = now.toISOString().slice(2, 10).replaceAll('-', '');
  const bytes = randomBytes(6);
  const suffix = Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return `ORD-${day}-${suffix}`;
}

export interface CreateOrderDeps {
  models: Models;
  catalogue: CatalogueCache;
  /** Stores a validated order document; rejects with a duplicate-key error when its _id exists. */
  insertOrder: (doc: OrderDocument) => Promise<void>;
  publisher: OrderPublisher;
  indexWrites: IndexWrites;
  /** Where the order is marked unpublished before it is stored. */
  marks: UnpublishedMarks;
  /** The Redis channel of new orders. */
  createdChannel: string;
  logger: Logger;
}

/** `traceparent`: the request's (see server/src/trace/); the order keeps its trace id, a new one without it. */
export async function createOrder(deps: CreateOrderDeps, rawInput: unknown, traceparent?: string): Promise<Order> {
  const input = validateCreateOrder(rawInput);
  const [customer, product] = await Promise.all([
    deps.catalogue.customer(input.customerId),
    deps.catalogue.product(input.sku),
  ]);
  if (!customer) throw notFound(`no customer with id "${input.customerId}"`, 'customerId');
  if (!product) throw notFound(`no product with sku "${input.sku}"`, 'sku');

  const now = new Date();
  const id = orderIdFor(customer._id, input.idempotencyKey);
  const { traceId } = continueTrace(traceparent);
  // Every field of the order schema, from validated input and known records: written as it stands,
  // without a mongoose document to build and validate again (what that saved: the README's Performance section).
  const stored = newOrderDocument({
    _id: id,
    orderNumber: newOrderNumber(now),
    customerId: customer._id,
    sku: product._id,
    quantity: input.quantity,
    total: Math.round(product.price * input.quantity * 100) / 100,
    idempotencyKey: input.idempotencyKey ?? null,
    traceId,
    createdAt: now,
  });
  // Without a mark in either store the order is not taken: nothing is stored that the relay could not find.
  const marked = await deps.marks.mark(id);
  try {
    await deps.insertOrder(stored);
  } catch (error) {
    if (!isDuplicateKey(error) || !input.idempotencyKey) throw error;
    return existingForKey(deps, id, input, marked);
  }
  const order = orderFromDocument(stored);

  const log = deps.logger.child({ orderId: order._id, orderNumber: order.orderNumber, traceId });
  log.info('order created', { sku: order.sku, quantity: order.quantity });
  const published = await publishOrLeaveToRelay(deps, order, log, traceId);
  if (published && marked === 'held') await deps.marks.published(id, marked);
  await deps.indexWrites.write(order, {
    published,
    publish: {
      channel: deps.createdChannel,
      message: JSON.stringify({ order: orderToWire(order) }),
      evenIfIndexIsAhead: true,
    },
  });
  return order;
}

/**
 * A repeated request with the same key: the first order, published if the first request could not. The
 * first request clears its mark once the order is in Kafka: a mark this request found there means it
 * did not (yet); a mark this request made means it did, and the mark goes again.
 */
async function existingForKey(
  deps: CreateOrderDeps,
  id: string,
  input: CreateOrderInput,
  marked: Mark,
): Promise<Order> {
  const doc = await deps.models.Order.findById(id).lean();
  if (!doc) throw new Error(`order ${id} was reported as a duplicate but cannot be read`);
  const existing = orderFromDocument(doc);
  if (existing.sku !== input.sku || existing.quantity !== input.quantity) {
    throw badInput(
      `idempotencyKey "${input.idempotencyKey}" was already used for a different order (${existing.orderNumber})`,
      'idempotencyKey',
    );
  }
  if (marked === 'made') await deps.marks.published(id, marked);
  if (awaitsDecision(existing.status) && marked !== 'made') {
    // A mark held in MongoDB says nothing of the first request's: the order goes to Kafka once more.
    const log = deps.logger.child({ orderId: existing._id, traceId: doc.traceId ?? undefined });
    if (await publishOrLeaveToRelay(deps, existing, log, doc.traceId)) {
      await deps.marks.published(id, marked);
      await deps.indexWrites.write(existing, { published: true });
    }
  } else if (marked === 'held') {
    await deps.marks.published(id, marked);
  }
  return existing;
}

/**
 * A broker outage does not fail the request: the order is stored, and the outbox relay publishes it
 * later. Resolves with whether the order reached Kafka.
 */
export async function publishOrLeaveToRelay(
  deps: Pick<CreateOrderDeps, 'publisher'>,
  order: Order,
  log: Logger,
  /** The order's trace id, carried on to Kafka. */
  traceId?: string | null,
): Promise<boolean> {
  try {
    await deps.publisher.sendOrderCreated(order, traceId);
    return true;
  } catch (error) {
    log.warn('order stored but not yet published; the outbox relay will retry', { error });
    return false;
  }
}

/**
 * Orders stored together: the inserts of concurrent requests go to MongoDB in one insertMany, each
 * request told of its own document's fate (a duplicate _id fails that request alone).
 */
export function orderInserter(models: Models): CreateOrderDeps['insertOrder'] {
  // The driver's collection knows nothing of the schema; its documents are `OrderDocument`s with string ids.
  const orders = models.Order.collection as unknown as mongo.Collection<OrderDocument>;
  const inserts = new Batcher<OrderDocument>(async (docs) => {
    try {
      await orders.insertMany(docs, { ordered: false });
    } catch (error) {
      return failuresByIndex(error);
    }
  });
  return (doc) => inserts.add(doc);
}
