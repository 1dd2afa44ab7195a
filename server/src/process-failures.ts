/**
 * The server's policy for failures nothing caught. A promise rejected with no handler is a bug in one
 * request or one subscriber, not a broken process: it is logged with its error and counted
 * (`process_unhandled_rejections_total`), and the server goes on serving everyone else. An exception
 * thrown with nothing to catch it leaves the process in a state nobody can vouch for: it is logged,
 * the server stops in order, and the process exits 1 (see run.ts).
 */
import type { Logger } from '@orders/core';

/** Logs and counts unhandled rejections until the returned function is called. */
export function surviveUnhandledRejections(logger: Logger, count: () => void): () => void {
  const onRejection = (reason: unknown) => {
    count();
    logger.error('a promise was rejected with nobody to handle it; the server goes on', { error: reason });
  };
  process.on('unhandledRejection', onRejection);
  return () => void process.off('unhandledRejection', onRejection);
}

/** Logs an uncaught exception, then runs `stop` once (however many follow) and exits 1. */
export function stopOnUncaughtException(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; the server stops', { error });
    console.error(
      `server: uncaught exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    if (stopping) return;
    stopping = true;
    stop()
      .catch((failure: unknown) => logger.error('the server could not stop after an uncaught exception', { failure }))
      .finally(() => process.exit(1));
  });
}
