/** Starts the order processor: reads the environment, starts, and stops cleanly on SIGTERM or SIGINT. */
import { ConfigError, createLogger } from '@orders/core';
import { createProcessor } from './app.ts';
import { loadConfig } from './config.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger('processor', config.log.level);
const processor = createProcessor(config, { logger });
const shutdown = (signal: string) => {
  logger.info('signal received', { signal });
  processor.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error('shutdown failed', { error });
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));

try {
  await processor.start();
} catch (error) {
  logger.error('processor could not start', { error });
  console.error(`processor could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
