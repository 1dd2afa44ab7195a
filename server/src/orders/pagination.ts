/**
 * Relay cursor pagination over orders, newest first. A cursor names the
 * (createdAt, id) pair of an order, so pages stay stable while new orders
 * arrive and two orders created in the same millisecond are never skipped.
 */
import mongoose from 'mongoose';
import type { Models, OrderStatus } from '@orders/core';
import { badInput } from '../errors.ts';
import { orderFromDocument, type OrderShape } from './shape.ts';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

interface Position {
  at: number;
  id: string;
}

export function encodeCursor(order: Pick<OrderShape, 'createdAt' | '_id'>): string {
  return Buffer.from(JSON.stringify([order.createdAt.getTime(), order._id])).toString('base64url');
}

export function decodeCursor(cursor: string, argument: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(`"${argument}" is not a cursor this API gave out`, argument);
}

export interface OrdersPageArgs {
  status?: readonly OrderStatus[] | null;
  customerId?: string | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

function pageSize(value: number | null | undefined, argument: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE) {
    throw badInput(`"${argument}" must be between 0 and ${MAX_PAGE}, got ${value}`, argument);
  }
  return value;
}

const { trusted } = mongoose;

/** Orders strictly older (`older`) or newer than a position, in the (createdAt, _id) order. */
function beyond(position: Position, older: boolean) {
  const op = older ? '$lt' : '$gt';
  const at = new Date(position.at);
  // sanitizeFilter is on: every operator the server writes itself is marked trusted.
  return { $or: [{ createdAt: trusted({ [op]: at }) }, { createdAt: at, _id: trusted({ [op]: position.id }) }] };
}

export async function ordersPage(models: Models, args: OrdersPageArgs) {
  const first = pageSize(args.first, 'first');
  const last = pageSize(args.last, 'last');
  if (first !== undefined && last !== undefined) throw badInput('pass "first" or "last", not both', 'last');

  const base: Record<string, unknown> = {};
  if (args.status && args.status.length > 0) base.status = trusted({ $in: [...args.status] });
  if (args.customerId) base.customerId = args.customerId;

  const bounds: object[] = [];
  if (args.after) bounds.push(beyond(decodeCursor(args.after, 'after'), true));
  if (args.before) bounds.push(beyond(decodeCursor(args.before, 'before'), false));
  const filter = bounds.length > 0 ? { ...base, $and: bounds } : base;

  const backwards = last !== undefined;
  const limit = (backwards ? last : (first ?? DEFAULT_PAGE)) ?? DEFAULT_PAGE;
  const direction = backwards ? 1 : -1;

  const docs =
    limit === 0
      ? []
      : await models.Order.find(filter)
          .sort({ createdAt: direction, _id: direction })
          .limit(limit + 1)
          .lean();
  let count: Promise<number> | undefined;
  const totalCount = () => (count ??= models.Order.countDocuments(base).exec());
  const hasMore = docs.length > limit;
  const page = docs.slice(0, limit).map(orderFromDocument);
  if (backwards) page.reverse();

  const edges = page.map((order) => ({ cursor: encodeCursor(order), node: order }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: backwards ? Boolean(args.before) : hasMore,
      hasPreviousPage: backwards ? hasMore : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
