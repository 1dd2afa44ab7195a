/**
 * The image's entry: `server` (the default), `processor` or `payments` (the stand-in payment
 * provider, for Compose and demos) runs that service's bundle in this
 * process, so that it is the container's PID 1 and gets the runtime's SIGTERM itself (both stop
 * cleanly on it). The health check reads this process's arguments to know which one runs.
 */
const services = {
  server: './server/dist/main.js',
  processor: './processor/dist/main.js',
  payments: './infra/payments/dist/main.js',
};
const [name = 'server', ...rest] = process.argv.slice(2);
if (!Object.hasOwn(services, name) || rest.length > 0) {
  console.error(`usage: start.mjs [server|processor|payments] (got: ${process.argv.slice(2).join(' ')})`);
  process.exit(64);
}
await import(services[name]);
