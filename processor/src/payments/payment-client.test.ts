/**
 * The payment client's policies (timeout, retries, breaker) and how it reads answers, against a
 * scripted HTTP peer on loopback that answers each call as the test says. The payment service itself
 * is exercised in processor/test and the fault suite.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isBrokenCircuitError } from 'cockatiel';
import { createPaymentClient, isPaymentOutage, type BreakerState } from './payment-client.ts';
import { PaymentUnavailableError } from './payment-errors.ts';

type Reply = (response: ServerResponse) => void;

const json =
  (status: number, body: unknown): Reply =>
  (response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
const authorized = json(201, { id: 'auth_1', status: 'authorized' });
const failure = (status: number, code: string) => json(status, { error: { code, message: code } });
/** Never answers: the client's timeout has to end the call. */
const hang: Reply = () => {};

const peers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((close) => close()));
});

/** A peer that answers the n-th call with `replies[n]` (the last one over and over), and keeps what it was sent. */
async function peer(...replies: Reply[]) {
  const calls: { key: string | undefined; body: unknown }[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      calls.push({ key: request.headers['idempotency-key'] as string | undefined, body: JSON.parse(text) });
      (replies[calls.length - 1] ?? replies.at(-1)!)(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peers.push(() => new Promise((resolve) => server.close(() => resolve()).closeAllConnections()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

const order = { _id: 'o1', customerId: 'cus_0001', total: 12.5, version: 1 };

function client(url: string, options: { retries?: number; breakerFailures?: number; timeoutMs?: number } = {}) {
  const states: BreakerState[] = [];
  const outcomes: string[] = [];
  const payments = createPaymentClient(
    {
      url,
      timeoutMs: options.timeoutMs ?? 2000,
      retries: options.retries ?? 2,
      breakerFailures: options.breakerFailures ?? 100,
      breakerHalfOpenMs: 200,
      retryDelayMs: 5,
    },
    { onCall: (outcome) => outcomes.push(outcome), onBreakerState: (state) => states.push(state) },
  );
  return { payments, states, outcomes };
}

describe('the payment client', () => {
  it('asks for the order total in minor units under the decision’s idempotency key', async () => {
    const service = await peer(authorized);
    const { payments, outcomes } = client(service.url);
    expect(await payments.authorize(order)).toEqual({ status: 'authorized', authorizationId: 'auth_1' });
    expect(service.calls).toEqual([
      { key: 'o1:1', body: { orderId: 'o1', customerId: 'cus_0001', amount: 1250, currency: 'USD' } },
    ]);
    expect(outcomes).toEqual(['authorized']);
  });

  it('retries what could not be answered now, under the same key, and then says the service is away', async () => {
    const service = await peer(failure(503, 'service_unavailable'));
    const { payments, outcomes } = client(service.url, { retries: 2 });
    const error = await payments.authorize(order).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(PaymentUnavailableError);
    expect(isPaymentOutage(error)).toBe(true);
    expect(service.calls.map((call) => call.key)).toEqual(['o1:1', 'o1:1', 'o1:1']);
    expect(outcomes).toEqual(['unavailable']);
  });

  it('goes on after a transient failure when a retry is answered', async () => {
    const service = await peer(failure(500, 'processing_error'), authorized);
    const { payments } = client(service.url);
    expect((await payments.authorize(order)).status).toBe('authorized');
    expect(service.calls).toHaveLength(2);
  });

  it('takes a refusal about the order as a decline with its code, asked once', async () => {
    for (const [status, code] of [
      [402, 'card_declined'],
      [422, 'idempotency_key_reused'],
      [400, 'invalid_request'],
    ] as const) {
      const service = await peer(failure(status, code));
      const { payments } = client(service.url);
      expect(await payments.authorize(order)).toEqual({ status: 'declined', authorizationId: null, declineCode: code });
      expect(service.calls).toHaveLength(1);
    }
  });

  it('never declines an order because the service, or the way to it, refuses every request (401, 404)', async () => {
    for (const [status, code] of [
      [404, 'not_found'],
      [401, 'unauthorized'],
    ] as const) {
      const service = await peer(failure(status, code));
      const { payments } = client(service.url, { retries: 1 });
      const error = await payments.authorize(order).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(PaymentUnavailableError);
      expect(String(error)).toContain('check PAYMENTS_URL');
      expect(service.calls).toHaveLength(2);
    }
  });

  it('ends a call that gets no answer at its timeout, as a failure to retry', async () => {
    const service = await peer(hang, authorized);
    const { payments, outcomes } = client(service.url, { timeoutMs: 100, retries: 1 });
    expect((await payments.authorize(order)).status).toBe('authorized');
    expect(service.calls).toHaveLength(2);
    expect(outcomes).toEqual(['authorized']);
    const timingOut = client((await peer(hang)).url, { timeoutMs: 100, retries: 0 });
    const error = await timingOut.payments.authorize(order).catch((reason: unknown) => reason);
    expect(isPaymentOutage(error)).toBe(true);
    expect(timingOut.outcomes).toEqual(['timeout']);
  });

  it('opens its breaker after failures in a row: calls then fail at once, until a trial call succeeds', async () => {
    const service = await peer(failure(503, 'down'), failure(503, 'down'), failure(503, 'down'), authorized);
    const { payments, states, outcomes } = client(service.url, { retries: 0, breakerFailures: 3 });
    for (let i = 0; i < 3; i++) await expect(payments.authorize(order)).rejects.toThrow(PaymentUnavailableError);
    expect(payments.breakerState).toBe('open');

    const refused = await payments.authorize(order).catch((reason: unknown) => reason);
    expect(isBrokenCircuitError(refused)).toBe(true);
    expect(isPaymentOutage(refused)).toBe(true);
    expect(service.calls).toHaveLength(3); // refused without asking the service
    expect(outcomes.at(-1)).toBe('breaker_open');

    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await payments.authorize(order)).status).toBe('authorized');
    expect(payments.breakerState).toBe('closed');
    expect(states).toEqual(['closed', 'open', 'half_open', 'closed']);
  });

  it('does not count declines towards the breaker', async () => {
    const service = await peer(failure(402, 'card_declined'));
    const { payments } = client(service.url, { retries: 0, breakerFailures: 2 });
    for (let i = 0; i < 5; i++) expect((await payments.authorize(order)).status).toBe('declined');
    expect(payments.breakerState).toBe('closed');
  });
});
