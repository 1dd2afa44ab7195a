/**
 * The order processor as a program: reads the environment, starts, and stops cleanly on SIGTERM or
 * SIGINT. A store that is not reachable yet (starting, restarting) is waited for: the processor tries
 * to start again, with a growing wait, until it runs or is told to stop. main.ts runs it as it is; a
 * test's entry may pass options (a fault to inject, say) to every processor it starts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, createLogger, signingKey, warnIfSlow, type Logger } from '@orders/core';
import { createProcessor, type ProcessorOptions } from './app.ts';
import { loadConfig, type ProcessorConfig } from './config.ts';
import { backoffDelay, reasonOf } from './kafka/retry.ts';
import { startProcessorHttp, type ProcessorHttp, type ProcessorHttpOptions } from './http/processor-http.ts';
import { ProcessorMetrics } from './metrics/processor-metrics.ts';

const START_BACKOFF = { initialMs: 500, maxMs: 10_000 };

/** Runs the processor until a signal stops it, then exits the process. `logger` and `metrics` are its own. */
export async function runProcessor(options: Omit<ProcessorOptions, 'logger' | 'metrics'> = {}): Promise<void> {
  let config: ProcessorConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger('processor', config.log.level);
  const stopRequested = new AbortController();
  // One registry for every start attempt, and one listener that asks whichever processor is current.
  const metrics = new ProcessorMetrics();
  const create = () => createProcessor(config, { ...options, logger, metrics });
  let processor = create();
  const http = await listen(config, logger, metrics, () => processor.readiness());
  const shutdown = (signal: string) => {
    logger.info('signal received', { signal });
    stopRequested.abort();
    Promise.all([processor.stop(), warnIfSlow(logger, 'the HTTP listener to close', http?.close())]).then(
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
      if (!stopRequested.signal.aborted) processor = create();
    }
  }
}

/**
 * The processor's HTTP listener. Orders matter more than their metrics: a port already taken is
 * reported (and /ready cannot be asked) but the processor still decides orders.
 */
async function listen(
  config: ProcessorConfig,
  logger: Logger,
  metrics: ProcessorMetrics,
  readiness: ProcessorHttpOptions['readiness'],
): Promise<ProcessorHttp | undefined> {
  // Outside production the development secret is the server's too; in production without AUTH_SECRET, no tokens.
  const key = config.auth.production && !config.auth.secret ? undefined : signingKey(config.auth);
  try {
    return await startProcessorHttp({ ...config.http, readiness, registry: metrics.registry, key, logger });
  } catch (error) {
    logger.error('the processor http listener could not start: no /health, /ready or /metrics', {
      port: config.http.port,
      hint: 'set PROCESSOR_PORT to a free port (0: any)',
      error,
    });
    console.error(`processor http listener not started (${reasonOf(error)}); set PROCESSOR_PORT to a free port`);
    return undefined;
  }
}
