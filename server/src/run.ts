/**
 * Runs the GraphQL server as a process: reads the environment, starts, and
 * stops cleanly on SIGTERM or SIGINT; exits 1 with a message when it cannot
 * start. `main.ts` runs it as it is; a program that runs the server with
 * options of its own (see `CreateAppOptions`) calls it with them.
 */
import path from 'node:path';
import { ConfigError, createLogger, packageRootOf } from '@orders/core';
import { createApp, type CreateAppOptions } from './app.ts';
import { loadConfig, type ServerConfig } from './config.ts';
import { stopOnUncaughtException } from './process-failures.ts';

// From the package's folder, so that the built server (dist/main.js) finds the dashboard as the source does.
const defaultWebDist = path.resolve(packageRootOf(import.meta.url), '../web/dist');

function configOrExit(): ServerConfig {
  try {
    return loadConfig({ WEB_DIST: defaultWebDist, ...process.env });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}

export async function runServer(options: Omit<CreateAppOptions, 'logger'> = {}): Promise<void> {
  const config = configOrExit();
  const logger = createLogger('server', config.log.level);
  try {
    const app = await createApp(config, { ...options, logger });
    const shutdown = (signal: string) => {
      logger.info('signal received', { signal });
      app.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          console.error(`server shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    };
    stopOnUncaughtException(logger, () => app.stop());
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    logger.error('server could not start', { error });
    console.error(`server could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
