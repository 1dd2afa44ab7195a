/**
 * The image's HEALTHCHECK: asks the running service's /health on loopback and exits 0 when it
 * answers 200. Which service runs is read from PID 1's arguments (start.mjs server|processor|payments);
 * the port from the same variables the service reads (PORT, PROCESSOR_PORT). Node alone: the
 * runtime image has no curl or wget.
 */
import { readFileSync } from 'node:fs';

const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
const port = args.includes('processor')
  ? (process.env.PROCESSOR_PORT ?? '4001')
  : args.includes('payments')
    ? (process.env.PAYMENTS_PORT ?? '4010')
    : (process.env.PORT ?? '4000');
try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
