/**
 * The order status machine. An order is created PENDING; the processor moves it
 * to PROCESSED or FAILED exactly once per attempt; a FAILED order may be retried,
 * which puts it back to PENDING. Every change raises the order's version by one.
 */
export const ORDER_STATUSES = ['PENDING', 'PROCESSED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const FINAL_STATUSES: readonly OrderStatus[] = ['PROCESSED', 'FAILED'];

const allowed: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['PROCESSED', 'FAILED'],
  PROCESSED: [],
  FAILED: ['PENDING'],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return allowed[from].includes(to);
}

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';

  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`an order cannot go from ${from} to ${to}`);
  }
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** The id of the status change that takes an order to `version`: unique, so only one writer can make it. */
export function changeId(orderId: string, version: number): string {
  return `${orderId}:${version}`;
}
