/** The shape of an order as resolvers see it: the lean document, dates as Dates. */
import type { OrderSnapshot, OrderStatus } from '@orders/core';

export interface HistoryShape {
  version: number;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  at: Date;
  error: string | null;
}

export interface OrderShape {
  _id: string;
  orderNumber: string;
  customerId: string;
  sku: string;
  quantity: number;
  total: number;
  status: OrderStatus;
  version: number;
  attempts: number;
  error: string | null;
  createdAt: Date;
  processedAt: Date | null;
  failedAt: Date | null;
  updatedAt: Date;
  history: HistoryShape[];
}

/** An order from a Redis message (ISO strings) back to resolver shape. */
export function orderFromSnapshot(snapshot: OrderSnapshot): OrderShape {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return {
    ...snapshot,
    createdAt: new Date(snapshot.createdAt),
    processedAt: date(snapshot.processedAt),
    failedAt: date(snapshot.failedAt),
    updatedAt: new Date(snapshot.updatedAt),
    history: snapshot.history.map((entry) => ({ ...entry, at: new Date(entry.at) })),
  };
}

/** A lean order document from mongoose, with optional fields made explicit. */
export function orderFromDocument(doc: {
  _id: string;
  orderNumber: string;
  customerId: string;
  sku: string;
  quantity: number;
  total: number;
  status: OrderStatus;
  version: number;
  attempts: number;
  error?: string | null;
  createdAt: Date;
  processedAt?: Date | null;
  failedAt?: Date | null;
  updatedAt: Date;
  history?: {
    version: number;
    previousStatus?: OrderStatus | null;
    status: OrderStatus;
    at: Date;
    error?: string | null;
  }[];
}): OrderShape {
  return {
    _id: doc._id,
    orderNumber: doc.orderNumber,
    customerId: doc.customerId,
    sku: doc.sku,
    quantity: doc.quantity,
    total: doc.total,
    status: doc.status,
    version: doc.version,
    attempts: doc.attempts,
    error: doc.error ?? null,
    createdAt: doc.createdAt,
    processedAt: doc.processedAt ?? null,
    failedAt: doc.failedAt ?? null,
    updatedAt: doc.updatedAt,
    history: (doc.history ?? []).map((entry) => ({
      version: entry.version,
      previousStatus: entry.previousStatus ?? null,
      status: entry.status,
      at: entry.at,
      error: entry.error ?? null,
    })),
  };
}
