/** What every resolver receives: the models, per-request loaders and the app's services. */
import DataLoader from 'dataloader';
import mongoose from 'mongoose';
import { orderFromDocument } from '@orders/core';
import type { CustomerDoc, Models, Order, OrderCache, OrderIndex, ProductDoc, Viewer } from '@orders/core';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { DeadLetters } from './dead-letters/dead-letters.ts';
import type { PipelineMonitor } from './pipeline/pipeline-monitor.ts';
import type { OrderEvents } from './pubsub/order-events.ts';
import type { StatusFeed } from './pubsub/status-feed.ts';
import type { StatsBroadcaster } from './stats/stats-broadcaster.ts';

export interface Services {
  models: Models;
  /** Lists, counts, statistics and the logs of status changes, shared in Redis by every instance. */
  index: OrderIndex;
  /** The orders of list pages, read by id and kept while their version stands. */
  orderCache: OrderCache<Order>;
  events: OrderEvents;
  /** Status changes with their cursors, for the status subscriptions. */
  statusFeed: StatusFeed;
  stats: StatsBroadcaster;
  /** The open dead letters, and the operator's one action on each. */
  deadLetters: DeadLetters;
  /** The Pipeline panel's figures: decisions, consumer lag, processors, dead letters, warnings. */
  pipeline: PipelineMonitor;
  /** `traceparent`: the request's trace, which the order keeps (see trace/traceparent.ts). */
  createOrder(input: unknown, traceparent?: string): Promise<Order>;
  retryOrder(orderId: string): Promise<Order>;
}

export interface Loaders {
  product: DataLoader<string, ProductDoc | null>;
  customer: DataLoader<string, CustomerDoc | null>;
  order: DataLoader<string, Order | null>;
}

export interface Context extends Services {
  loaders: Loaders;
  /** Who is asking: null without a token (and then only introspection gets through). */
  viewer: Viewer | null;
  /** createOrder per subject (role and subject), whatever token it comes with. */
  createOrderLimiter: RateLimiter;
  /** The request's W3C traceparent (HTTP only), as this server continued it. */
  traceparent?: string;
}

/** One batched `_id: {$in}` query per type and request, results in key order. */
function byIdLoader<T extends { _id: string }>(load: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const docs = await load([...ids]);
    const byId = new Map(docs.map((doc) => [doc._id, doc]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Each loader is made on first use: a subscription keeps its context for as long as it lives, and
 * most never load anything, so thousands of subscribers hold no loaders.
 */
export function createLoaders(models: Models): Loaders {
  const $in = (ids: string[]) => ({ _id: mongoose.trusted({ $in: ids }) });
  let product: Loaders['product'] | undefined;
  let customer: Loaders['customer'] | undefined;
  let order: Loaders['order'] | undefined;
  return {
    get product() {
      return (product ??= byIdLoader((ids) => models.Product.find($in(ids)).lean<ProductDoc[]>()));
    },
    get customer() {
      return (customer ??= byIdLoader((ids) => models.Customer.find($in(ids)).lean<CustomerDoc[]>()));
    },
    get order() {
      return (order ??= loadOrdersOneByOne(models));
    },
  };
}

/**
 * One lookup by _id per order rather than one `$in`: a MongoDB-wire server without `$in` pushdown
 * (FerretDB's SQLite backend) would scan the whole orders collection for it.
 */
function loadOrdersOneByOne(models: Models): Loaders['order'] {
  return byIdLoader(async (ids) => {
    const docs = await Promise.all(ids.map((id) => models.Order.findById(id).lean()));
    return docs.filter((doc) => doc !== null).map(orderFromDocument);
  });
}
