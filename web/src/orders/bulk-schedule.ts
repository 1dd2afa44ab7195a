/**
 * The bulk generator's clock: order i is due i / rate seconds after the start,
 * whatever the earlier ones are doing, as real load does; but no more than
 * MAX_IN_FLIGHT wait for an answer at once, so a server slower than the rate
 * sees a bounded queue (and the operator sees the generator fall behind)
 * rather than an ever-growing pile of requests.
 */

export const MAX_IN_FLIGHT = 16;

/** How many orders to send now: the ones due and not sent, as far as the in-flight bound allows. */
export function ordersToSend(due: number, sent: number, inFlight: number, maxInFlight: number = MAX_IN_FLIGHT): number {
  return Math.max(0, Math.min(due - sent, maxInFlight - inFlight));
}

/** How many orders should have been sent `elapsedMs` after the start (the first leaves at once). */
export function ordersDue(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0 || total <= 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000) + 1);
}

export interface BulkSettings {
  count: number;
  rate: number;
}

export const BULK_LIMITS = { maxCount: 10_000, minRate: 0.1, maxRate: 200 } as const;

/** Checks the two settings, with a message for each one that is wrong. */
export function checkBulkSettings(
  count: string,
  rate: string,
): { settings: BulkSettings | null; count?: string; rate?: string } {
  const parsedCount = Number(count);
  const parsedRate = Number(rate);
  const countError =
    Number.isInteger(parsedCount) && parsedCount >= 1 && parsedCount <= BULK_LIMITS.maxCount
      ? undefined
      : `A whole number from 1 to ${BULK_LIMITS.maxCount}`;
  const rateError =
    Number.isFinite(parsedRate) && parsedRate >= BULK_LIMITS.minRate && parsedRate <= BULK_LIMITS.maxRate
      ? undefined
      : `From ${BULK_LIMITS.minRate} to ${BULK_LIMITS.maxRate} per second`;
  if (countError || rateError) {
    return { settings: null, ...(countError ? { count: countError } : {}), ...(rateError ? { rate: rateError } : {}) };
  }
  return { settings: { count: parsedCount, rate: parsedRate } };
}
