/** The status filter (ALL or one status): what it lets through, and how it is kept in the URL (`?status=FAILED`). */
import type { OrderStatus } from '../gql/graphql.ts';

export const ORDER_STATUSES = ['PENDING', 'PROCESSED', 'FAILED'] as const satisfies readonly OrderStatus[];

export type StatusFilter = 'ALL' | OrderStatus;

export const STATUS_FILTERS: readonly StatusFilter[] = ['ALL', ...ORDER_STATUSES];

export const STATUS_PARAM = 'status';

function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** Reads the filter from a query string; anything unknown (or nothing) means ALL. */
export function parseStatusFilter(search: string): StatusFilter {
  const value = new URLSearchParams(search).get(STATUS_PARAM)?.trim().toUpperCase() ?? '';
  return isOrderStatus(value) ? value : 'ALL';
}

/** The query string with the filter set (ALL removes the parameter), other parameters kept. */
export function searchWithStatusFilter(search: string, filter: StatusFilter): string {
  const params = new URLSearchParams(search);
  if (filter === 'ALL') params.delete(STATUS_PARAM);
  else params.set(STATUS_PARAM, filter);
  const query = params.toString();
  return query ? `?${query}` : '';
}

export function matchesFilter(status: OrderStatus, filter: StatusFilter): boolean {
  return filter === 'ALL' || status === filter;
}

/** The `status` argument of the `orders` query for a filter: null asks for every status. */
export function statusArgument(filter: StatusFilter): OrderStatus[] | null {
  return filter === 'ALL' ? null : [filter];
}
