/**
 * Relay cursor pagination over orders, newest first, read from the order read
 * model. A cursor names the (createdAt, id) pair of an order, so pages stay
 * stable while new orders arrive and two orders created in the same
 * millisecond are never skipped.
 */
import type { OrderStatus } from '@orders/core';
import { badInput } from '../errors.ts';
import type { OrderReadModel, Position } from './read-model.ts';
import type { OrderShape } from './shape.ts';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

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

export async function ordersPage(readModel: OrderReadModel, args: OrdersPageArgs) {
  const first = pageSize(args.first, 'first');
  const last = pageSize(args.last, 'last');
  if (first !== undefined && last !== undefined) throw badInput('pass "first" or "last", not both', 'last');

  const filter = { statuses: args.status ?? undefined, customerId: args.customerId ?? undefined };
  const olderThan = args.after ? decodeCursor(args.after, 'after') : undefined;
  const newerThan = args.before ? decodeCursor(args.before, 'before') : undefined;
  const backwards = last !== undefined;
  const limit = (backwards ? last : (first ?? DEFAULT_PAGE)) ?? DEFAULT_PAGE;

  await readModel.ready();
  const found = limit === 0 ? [] : readModel.list({ ...filter, olderThan, newerThan, limit, backwards });
  const hasMore = found.length > limit;
  const page = found.slice(0, limit);
  if (backwards) page.reverse();

  const edges = page.map((order) => ({ cursor: encodeCursor(order), node: order }));
  return {
    edges,
    totalCount: () => readModel.count(filter),
    pageInfo: {
      hasNextPage: backwards ? Boolean(args.before) : hasMore,
      hasPreviousPage: backwards ? hasMore : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
