/** Starts the payment service from its settings; stops on SIGTERM or SIGINT. */
import { loadPaymentServiceConfig } from './config.ts';
import { createPaymentService } from './server.ts';

try {
  const config = loadPaymentServiceConfig();
  const service = createPaymentService(config);
  const url = await service.start();
  console.log(
    `payment service on ${url} (latency p50 ${config.latency.p50Ms} ms, p99 ${config.latency.p99Ms} ms; ` +
      `ledger ${config.ledgerFile}; test controls ${config.testControls ? 'on' : 'off'})`,
  );
  const stop = () => void service.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
