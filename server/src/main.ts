/** Starts the GraphQL server: reads the environment, starts, and stops cleanly on SIGTERM or SIGINT. */
import { runServer } from './run.ts';

await runServer();
