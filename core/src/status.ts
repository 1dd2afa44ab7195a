/**
 * The order status machine, the one place that says where an order may go. An order is created
 * PENDING; the processor decides it PROCESSED or FAILED, once per attempt; a FAILED order may be
 * retried, which puts it back to PENDING. Every change raises the order's version by one. Writers ask
 * the machine (`awaitsDecision`, `mayRetry`, `assertTransition`) rather than naming statuses, so that
 * a new status is a change here, in the GraphQL enum and in what shows it, each found by the compiler.
 */
export const ORDER_STATUSES = ['PENDING', 'PROCESSED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

interface StatusRules {
  /** The statuses an order at this one may go to next. */
  readonly next: readonly OrderStatus[];
  /** Whether the processor decides an order at this status (and each decision is one attempt). */
  readonly awaitsDecision: boolean;
}

const MACHINE = {
  PENDING: { next: ['PROCESSED', 'FAILED'], awaitsDecision: true },
  PROCESSED: { next: [], awaitsDecision: false },
  FAILED: { next: ['PENDING'], awaitsDecision: false },
} as const satisfies Record<OrderStatus, StatusRules>;

/** The status a retry puts an order back to, for the processor to decide again. */
export const RETRIED_STATUS = 'PENDING' satisfies OrderStatus;

/** The statuses the processor decides an order to. */
export type DecidedStatus = (typeof MACHINE.PENDING.next)[number];
export const DECIDED_STATUSES: readonly DecidedStatus[] = MACHINE.PENDING.next;

/** Whether an order at this status has been decided by the processor (and waits for nothing). */
export function isDecidedStatus(status: OrderStatus): status is DecidedStatus {
  return (DECIDED_STATUSES as readonly OrderStatus[]).includes(status);
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return (MACHINE[from].next as readonly OrderStatus[]).includes(to);
}

/** Whether the processor decides an order at this status; any other status means its message was handled. */
export function awaitsDecision(status: OrderStatus): boolean {
  return MACHINE[status].awaitsDecision;
}

/** Whether the change from `from` to `to` is a decision of the processor: what the order's `attempts` counts. */
export function isDecision(from: OrderStatus, to: OrderStatus): boolean {
  return awaitsDecision(from) && canTransition(from, to);
}

/** The statuses from which an order may be retried. */
export const RETRYABLE_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((status) =>
  canTransition(status, RETRIED_STATUS),
);

export function mayRetry(status: OrderStatus): boolean {
  return canTransition(status, RETRIED_STATUS);
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
