/**
 * Steps that should be quick, watched by a timer that is cleared once they settle: `warnIfSlow` says
 * what is still being waited for, so that a stop that hangs tells where; `within` gives up on a step
 * that takes too long.
 */
import type { Logger } from './log.ts';

/** `step`, with a warning (once) if it has not settled after `afterMs`. */
export async function warnIfSlow<T>(
  logger: Logger,
  waitingFor: string,
  step: T | Promise<T>,
  afterMs = 5_000,
): Promise<T> {
  const timer = setTimeout(() => logger.warn('still waiting', { waitingFor, afterMs }), afterMs);
  try {
    return await step;
  } finally {
    clearTimeout(timer);
  }
}

/** `step`, or a rejection with the error `late` makes if it has not settled within `timeoutMs` (the step runs on). */
export async function within<T>(step: Promise<T>, timeoutMs: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), timeoutMs);
  });
  try {
    return await Promise.race([step, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
