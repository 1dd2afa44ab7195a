/**
 * The payment service's settings, one zod model, read once at start. Every
 * default is what the tests and a plain `npm run services -- up` want: no
 * latency, no declines but the test customers' (behaviours.ts). The demo's
 * latency and declining customers are set by name (`npm start` does).
 */
import { z } from 'zod';

const customerList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
  );

const milliseconds = (fallback: number) => z.coerce.number().int().min(0).max(60_000).default(fallback);

export const PaymentServiceModel = z
  .object({
    PAYMENTS_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
    PAYMENTS_HOST: z.string().min(1).default('127.0.0.1'),
    /** The ledger's journal: every authorization, appended as one JSON line, read back at start. */
    PAYMENTS_LEDGER_FILE: z.string().min(1).default('.data/payments/ledger.jsonl'),
    /** The median and the 99th percentile of the time an authorization takes (a log-normal spread). */
    PAYMENTS_LATENCY_P50_MS: milliseconds(0),
    PAYMENTS_LATENCY_P99_MS: milliseconds(0),
    /** Customers of the catalogue whose payments are always declined, for the demo. */
    PAYMENTS_DECLINING_CUSTOMERS: customerList,
    /** Switches on the test controls under /v1/test (the outage switch): never in production. */
    PAYMENTS_TEST_CONTROLS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
  })
  .refine((raw) => raw.PAYMENTS_LATENCY_P99_MS >= raw.PAYMENTS_LATENCY_P50_MS, {
    message: 'must be at least PAYMENTS_LATENCY_P50_MS',
    path: ['PAYMENTS_LATENCY_P99_MS'],
  });

export interface PaymentServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly ledgerFile: string;
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number };
  readonly decliningCustomers: readonly string[];
  readonly testControls: boolean;
}

/** Reads the settings, or throws one error that lists every problem. */
export function loadPaymentServiceConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  const parsed = PaymentServiceModel.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`the payment service's settings are wrong:\n${problems.join('\n')}`);
  }
  const raw = parsed.data;
  return {
    port: raw.PAYMENTS_PORT,
    host: raw.PAYMENTS_HOST,
    ledgerFile: raw.PAYMENTS_LEDGER_FILE,
    latency: { p50Ms: raw.PAYMENTS_LATENCY_P50_MS, p99Ms: raw.PAYMENTS_LATENCY_P99_MS },
    decliningCustomers: raw.PAYMENTS_DECLINING_CUSTOMERS,
    testControls: raw.PAYMENTS_TEST_CONTROLS,
  };
}
