/**
 * Retrying a message that failed for a reason other than its content (the
 * database, the broker or the payment service unreachable, the breaker open, a
 * timeout): exponential backoff, without end. An order is never decided FAILED
 * because the world is away: its partition waits (it is paused, see pauses.ts)
 * until the try succeeds or the processor stops, and a message is never
 * skipped without being recorded.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 100, maxMs: 5000 };

/** The wait after failed try number `attempt` (1-based): 100 ms doubling to 5 s by default. */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
}

export interface RetryOptions {
  readonly backoff?: Backoff;
  /** Aborting stops the waiting: the pending message is left uncommitted for the next owner. */
  readonly signal: AbortSignal;
  /** Called before every wait; may throw to stop retrying (kafkajs' heartbeat does when the group rebalances). */
  readonly onRetry: (error: unknown, attempt: number, delayMs: number) => Promise<void> | void;
}

export async function retryUntilDone<T>(run: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const delayMs = backoffDelay(attempt, options.backoff);
      await options.onRetry(error, attempt, delayMs);
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
