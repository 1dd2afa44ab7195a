/**
 * Relay cursor pagination over orders, newest first: the ids come from the
 * order index in Redis, the orders from MongoDB by `_id` (the one lookup every
 * MongoDB-wire server serves from an index). A cursor names the
 * (createdAt, id) pair of an order, so pages stay stable while new orders
 * arrive and two orders created in the same millisecond are never skipped.
 */
import type { ListPosition, Order, OrderCache, OrderIndex, OrderStatus } from '@orders/core';
import { badInput } from '../errors.ts';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export function encodeCursor(order: Pick<Order, 'createdAt' | '_id'>): string {
  return Buffer.from(JSON.stringify([order.createdAt.getTime(), order._id])).toString('base64url');
}

export function decodeCursor(cursor: string, argument: string): ListPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && Number.isSafeInteger(value[0]) && typeof value[1] === 'string' && value[1] !== '') {
      return { at: value[0] as number, id: value[1] };
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

export interface OrderListsDeps {
  readonly index: OrderIndex;
  /** The orders of a page, by id and the version the index holds: one batch per request. */
  readonly orders: OrderCache<Order>;
}

export async function ordersPage(deps: OrderListsDeps, args: OrdersPageArgs) {
  const first = pageSize(args.first, 'first');
  const last = pageSize(args.last, 'last');
  if (first !== undefined && last !== undefined) throw badInput('pass "first" or "last", not both', 'last');

  const filter = { statuses: args.status ?? undefined, customerId: args.customerId ?? undefined };
  const olderThan = args.after ? decodeCursor(args.after, 'after') : undefined;
  const newerThan = args.before ? decodeCursor(args.before, 'before') : undefined;
  const backwards = last !== undefined;
  const limit = (backwards ? last : (first ?? DEFAULT_PAGE)) ?? DEFAULT_PAGE;

  // One more than asked tells whether there is more.
  const entries = await deps.index.page({ ...filter, olderThan, newerThan, limit: limit + 1, oldestFirst: backwards });
  const hasMore = entries.length > limit;
  const wanted = entries.slice(0, limit);
  if (backwards) wanted.reverse();
  // An order listed but gone from MongoDB (deleted behind the system's back) is left out.
  const page = (await deps.orders.load(wanted)).filter((order) => order !== null);

  const edges = page.map((order) => ({ cursor: encodeCursor(order), node: order }));
  return {
    edges,
    totalCount: () => deps.index.count(filter),
    pageInfo: pageInfoOf(args, wanted, hasMore, backwards),
  };
}

/**
 * The page's cursors are the places of the entries it read (an order gone from MongoDB leaves its place,
 * so paging goes on past it); an empty page keeps the cursor it was asked from. A page says there is more
 * only with a cursor to ask for it from: `first: 0` without `after` says how many there are (totalCount),
 * not that a next page follows a null cursor.
 */
function pageInfoOf(args: OrdersPageArgs, wanted: readonly ListPosition[], hasMore: boolean, backwards: boolean) {
  const cursorOf = (entry: ListPosition | undefined) =>
    entry === undefined ? null : encodeCursor({ createdAt: new Date(entry.at), _id: entry.id });
  const startCursor = cursorOf(wanted[0]) ?? (backwards ? (args.before ?? null) : (args.after ?? null));
  const endCursor = cursorOf(wanted.at(-1)) ?? startCursor;
  return {
    hasNextPage: backwards ? Boolean(args.before) : hasMore && endCursor !== null,
    hasPreviousPage: backwards ? hasMore && startCursor !== null : Boolean(args.after),
    startCursor,
    endCursor,
  };
}
