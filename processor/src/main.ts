/**
 * Starts the order processor: reads the environment, starts, and stops cleanly on SIGTERM or SIGINT.
 * A store that is not reachable yet (starting, restarting) is waited for: the processor tries to
 * start again, with a growing wait, until it runs or is told to stop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, createLogger } from '@orders/core';
import { createProcessor } from './app.ts';
import { loadConfig } from './config.ts';
import { backoffDelay, reasonOf } from './consume/retry.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const START_BACKOFF = { initialMs: 500, maxMs: 10_000 };
const logger = createLogger('processor', config.log.level);
const stopRequested = new AbortController();
let processor = createProcessor(config, { logger });
const shutdown = (signal: string) => {
  logger.info('signal received', { signal });
  stopRequested.abort();
  processor.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error('shutdown failed', { error });
      console.error(`processor shutdown failed: ${reasonOf(error)}`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));

for (let attempt = 1; !stopRequested.signal.aborted; attempt++) {
  try {
    await processor.start();
    break;
  } catch (error) {
    if (stopRequested.signal.aborted) break;
    const delayMs = backoffDelay(attempt, START_BACKOFF);
    logger.error('processor could not start; trying again', { attempt, delayMs, error });
    console.error(`processor could not start (${reasonOf(error)}); trying again in ${delayMs} ms`);
    await sleep(delayMs, undefined, { signal: stopRequested.signal }).catch(() => undefined);
    // A processor starts once: the next try is a new one.
    if (!stopRequested.signal.aborted) processor = createProcessor(config, { logger });
  }
}
