/**
 * A payment service of a test's own (infra/payments, as a real process on a
 * free port, its ledger's journal in a temporary folder): for tests that need
 * latency, declining customers or an outage, which the shared service on 4010
 * must not be given. Point a processor at it with `PAYMENTS_URL: service.url`.
 * The ledger is how a test proves that an order was charged at most once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './processes.ts';

export interface LedgerEntry {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: number;
  readonly status: 'authorized' | 'declined';
  readonly declineCode: string | null;
}

export interface TestPaymentService {
  /** Its base URL, for PAYMENTS_URL. */
  readonly url: string;
  /** Every entry of its ledger, filtered as the API filters. */
  ledger(filter?: { orderId?: string; status?: 'authorized' | 'declined' }): Promise<LedgerEntry[]>;
  /** Turns the outage switch on (`errors`: 503, `hang`: no answer, `reset`: connections reset). */
  startOutage(mode: 'errors' | 'hang' | 'reset', durationMs?: number): Promise<void>;
  endOutage(): Promise<void>;
  /** Kills the process (SIGKILL unless told otherwise): the service is unreachable until `restart`. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, with the same ledger. */
  restart(): Promise<void>;
  /** Stops it and removes its ledger. */
  close(): Promise<void>;
}

const main = path.join(repoRoot, 'infra', 'payments', 'main.ts');

function spawnService(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the payment service did not start:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /payment service on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve({ url: found[1]!, child });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the payment service exited with ${code}:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function call(url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body: unknown = await response.json();
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Starts a payment service with these settings (PAYMENTS_LATENCY_P50_MS, PAYMENTS_DECLINING_CUSTOMERS…). */
export async function startPaymentService(env: Record<string, string> = {}): Promise<TestPaymentService> {
  const folder = mkdtempSync(path.join(tmpdir(), 'payments-test-'));
  const settings = { PAYMENTS_LEDGER_FILE: path.join(folder, 'ledger.jsonl'), PAYMENTS_TEST_CONTROLS: 'true', ...env };
  let running = await spawnService({ ...settings, PAYMENTS_PORT: '0' });
  const url = running.url;
  const port = new URL(url).port;

  return {
    url,
    async ledger(filter = {}) {
      const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== undefined));
      const body = (await call(`${url}/v1/ledger?${query.toString()}`)) as { entries: LedgerEntry[] };
      return body.entries;
    },
    async startOutage(mode, durationMs) {
      await call(`${url}/v1/test/outage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode, durationMs }),
      });
    },
    async endOutage() {
      await call(`${url}/v1/test/outage`, { method: 'DELETE' });
    },
    kill: (signal = 'SIGKILL') => stopChild(running.child, signal),
    async restart() {
      await stopChild(running.child, 'SIGTERM');
      running = await spawnService({ ...settings, PAYMENTS_PORT: port });
    },
    async close() {
      await stopChild(running.child, 'SIGTERM');
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
