/** The payment service: its ledger, outage switch and API on one HTTP listener. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPaymentApi } from './api.ts';
import type { PaymentServiceConfig } from './config.ts';
import { latencySampler } from './latency.ts';
import { Ledger } from './ledger.ts';
import { OutageSwitch } from './outage.ts';

export interface PaymentService {
  /** Listens, and resolves with the base URL it answers on. */
  start(): Promise<string>;
  stop(): Promise<void>;
  readonly outage: OutageSwitch;
}

export function createPaymentService(config: PaymentServiceConfig): PaymentService {
  const ledger = Ledger.open(config.ledgerFile);
  const outage = new OutageSwitch();
  const handler = createPaymentApi({
    ledger,
    outage,
    decliningCustomers: config.decliningCustomers,
    latencyMs: latencySampler(config.latency),
    testControls: config.testControls,
  });
  let server: Server | undefined;

  return {
    outage,
    start() {
      const listening = createServer(handler);
      server = listening;
      return new Promise((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          const { port } = listening.address() as AddressInfo;
          resolve(`http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);
        });
      });
    },
    stop() {
      const listening = server;
      if (listening === undefined) return Promise.resolve();
      return new Promise((resolve) => {
        listening.close(() => resolve());
        listening.closeAllConnections();
      });
    },
  };
}
