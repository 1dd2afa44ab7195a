/**
 * The project's payment service (infra/payments), a stand-in for a card
 * provider, on 127.0.0.1:4010 with its ledger's journal in .data/payments.
 * Its settings (latency, declining customers) come from this command's
 * environment, so `PAYMENTS_LATENCY_P50_MS=80 npm run services -- up` starts it slow.
 */
import path from 'node:path';
import { dataDir, repoRoot } from './paths.ts';
import { startDetached } from './processes.ts';
import type { NativeService } from './service.ts';

export const PAYMENTS_PORT = 4010;

export const payments: NativeService = {
  name: 'payments',
  port: PAYMENTS_PORT,
  startTimeoutMs: 20_000,

  async prepare() {},

  start() {
    return startDetached({
      name: 'payments',
      command: process.execPath,
      args: ['--import', 'tsx', path.join('infra', 'payments', 'main.ts')],
      cwd: repoRoot,
      env: {
        ...process.env,
        PAYMENTS_PORT: String(PAYMENTS_PORT),
        PAYMENTS_HOST: '127.0.0.1',
        PAYMENTS_LEDGER_FILE: path.join(dataDir, 'payments', 'ledger.jsonl'),
      },
    });
  },

  async probe() {
    const response = await fetch(`http://127.0.0.1:${PAYMENTS_PORT}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { status?: string };
    if (!response.ok || body.status !== 'ok') throw new Error(`/health answered ${response.status}`);
  },
};
