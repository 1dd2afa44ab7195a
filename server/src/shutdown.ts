/**
 * Stopping in order: every step runs even if one before it failed, and what
 * failed is reported together at the end, so that one stuck part never keeps
 * the connections after it open. And the work still in hand when the server
 * stops, waited for before the stores it writes to close.
 */
import { warnIfSlow, within, type Logger } from '@orders/core';

export type ShutdownStep = readonly [name: string, run: () => unknown];

export async function shutDownInOrder(logger: Logger, steps: readonly ShutdownStep[]): Promise<void> {
  const failed: { step: string; error: unknown }[] = [];
  for (const [name, run] of steps) {
    try {
      await warnIfSlow(logger, name, run());
    } catch (error) {
      logger.warn('a shutdown step failed', { step: name, error });
      failed.push({ step: name, error });
    }
  }
  if (failed.length > 0) {
    const reasons = failed.map(
      ({ step, error }) => `${step} failed (${error instanceof Error ? error.message : String(error)})`,
    );
    throw new Error(`shutdown finished, but ${reasons.join('; ')}`);
  }
}

/**
 * Calls still running. Closing the HTTP server cuts its clients off (they send again elsewhere,
 * with their idempotency keys), but a `createOrder` it cut off runs on: with Redis closed under
 * it, it would store an order without its unpublished mark and fail to publish it, and the
 * client's repeat, finding the order stored and no mark, would take it as published. So the
 * server waits for these calls before it closes its stores.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** `call`, counted while it runs. */
  track<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return (...args) => {
      const running = call(...args);
      const settled = running.then(
        () => undefined,
        () => undefined,
      );
      this.running.add(settled);
      void settled.then(() => this.running.delete(settled));
      return running;
    };
  }

  /** Resolves once every call running now has settled; throws if some have not within `timeoutMs`. */
  async finish(timeoutMs: number): Promise<void> {
    const running = [...this.running];
    await within(Promise.all(running), timeoutMs, () => {
      const left = running.filter((call) => this.running.has(call)).length;
      return new Error(`${left} of ${running.length} calls were still running after ${timeoutMs} ms`);
    });
  }
}
