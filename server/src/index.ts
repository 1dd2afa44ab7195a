/**
 * The server's public entry, for programs outside this package (the test
 * support, the benchmarks): build the app in-process, or run it as a process
 * with options of its own.
 */
export { createApp, type App, type CreateAppOptions } from './app.ts';
export { loadConfig, type ServerConfig } from './config.ts';
export { runServer } from './run.ts';
export type { OrderInserter } from './services.ts';
