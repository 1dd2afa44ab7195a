/**
 * Where the order index lives in Redis: the key names, and how an order's place
 * in a list is written. Every key of one system shares one hash tag, so that a
 * change can update its lists, counters and log in one atomic script on Redis
 * Cluster too (see the README for how the index would shard beyond one node).
 *
 * Lists are sorted sets whose members all score 0 and sort by their bytes:
 * `<creation time, 13 digits of ms><order id>`. That is newest first read
 * backwards, and an exact, total order: two orders made in the same
 * millisecond still have a fixed place, and a page boundary falls between two
 * members, never on a score shared by many.
 */
import { ORDER_STATUSES, type OrderStatus } from '../status.ts';

/** Raised when the layout below changes: an index of another layout is rebuilt. */
export const INDEX_LAYOUT = 1;

/** How many minutes of per-minute counters the index keeps (the statistics' series). */
export const STATS_WINDOW_MINUTES = 30;

const MINUTE_MS = 60_000;
const TIME_DIGITS = 13;

/** Where an order sits in the newest-first order of lists. */
export interface ListPosition {
  readonly at: number;
  readonly id: string;
}

export function memberOf(position: ListPosition): string {
  const at = Math.min(Math.max(Math.trunc(position.at), 0), 10 ** TIME_DIGITS - 1);
  return String(at).padStart(TIME_DIGITS, '0') + position.id;
}

export function listPositionOf(member: string): ListPosition {
  return { at: Number(member.slice(0, TIME_DIGITS)), id: member.slice(TIME_DIGITS) };
}

export const minuteOf = (at: number) => Math.floor(at / MINUTE_MS) * MINUTE_MS;

/** The status as the index stores it: its place in ORDER_STATUSES, from 1. */
export const statusNumber = (status: OrderStatus) => ORDER_STATUSES.indexOf(status) + 1;

export interface IndexKeys {
  /** The layout, whether the log is complete from the first change (`genesis`), when it was built. */
  readonly meta: string;
  /** Held by the one instance that rebuilds the index. */
  readonly rebuildLock: string;
  /** Every key of this layout starts with this. */
  readonly base: string;
  /** Order id → `version:status`: what the index holds of each order, to apply changes by version. */
  readonly orders: string;
  /** The list of one status. */
  status(status: OrderStatus): string;
  /** The list of one customer's orders of one status. */
  customer(customerId: string, status: OrderStatus): string;
  /** Orders whose current version may not have reached Kafka, scored by when they were written. */
  readonly unpublished: string;
  /** Created, processed and failed orders in the minute starting at `minuteStart` (ms). */
  minute(minuteStart: number): string;
  /** The log of status changes announced in one partition of `orders.created`. */
  log(partition: number): string;
  /** Partition → the last sequence appended to its log. */
  readonly logHeads: string;
  /** Partition → the sequence from which its log is complete: a cursor before it cannot be served. */
  readonly logFloors: string;
  /**
   * Partition of `orders.created` → the processors' committed offset up to which the index was last
   * found whole (see repair.ts): what a failover may have lost lies after it.
   */
  readonly checkpoint: string;
}

export function indexKeys(prefix = ''): IndexKeys {
  const tag = `{${prefix}orders}`;
  const base = `${tag}:${INDEX_LAYOUT}`;
  return {
    meta: `${tag}:meta`,
    rebuildLock: `${tag}:rebuild`,
    base,
    orders: `${base}:orders`,
    status: (status) => `${base}:status:${status}`,
    customer: (customerId, status) => `${base}:customer:${customerId}:${status}`,
    unpublished: `${base}:unpublished`,
    minute: (minuteStart) => `${base}:minute:${minuteStart}`,
    log: (partition) => `${base}:log:${partition}`,
    logHeads: `${base}:log-heads`,
    logFloors: `${base}:log-floors`,
    checkpoint: `${base}:checkpoint`,
  };
}

/** The ids of stream entries: a change's sequence, so that appending one twice is refused. */
export const logEntryId = (seq: number) => `${seq}-1`;
export const seqOfLogEntry = (id: string) => Number(id.slice(0, id.indexOf('-')));
