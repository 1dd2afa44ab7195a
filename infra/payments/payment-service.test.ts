/**
 * The payment service as the processor meets it: a real process on a port of
 * its own (the test support's), its ledger's journal in a folder of the test's,
 * killed and started again where durability is the point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentService, type TestPaymentService } from '../../test/support/index.ts';

interface Answer {
  readonly status: number;
  readonly replayed: boolean;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(5_000) });
  return {
    status: response.status,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    body: (await response.json()) as Answer['body'],
  };
}

const authorize = (base: string, key: string | undefined, body: object, signal?: AbortSignal) =>
  call(`${base}/v1/authorizations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
    signal,
  });

const order = (n: number, customerId = 'cus_0001', amount = 25_00) => ({
  orderId: `ord_${n}`,
  customerId,
  amount,
  currency: 'USD',
});

const ledgerOf = async (base: string, query: string) =>
  (await call(`${base}/v1/ledger?${query}`)).body.entries as { id: string; status: string }[];

describe('the payment service', () => {
  let service: TestPaymentService;

  beforeAll(async () => {
    service = await startPaymentService({ PAYMENTS_DECLINING_CUSTOMERS: 'cus_0007' });
  });

  afterAll(() => service?.close());

  it('authorizes once and answers the same key again with the same authorization, charging nothing more', async () => {
    const first = await authorize(service.url, 'key-1', order(1));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'authorized', declineCode: null, amount: 25_00, orderId: 'ord_1' });
    const again = await authorize(service.url, 'key-1', order(1));
    expect(again.status).toBe(200);
    expect(again.replayed).toBe(true);
    expect(again.body.id).toBe(first.body.id);
    expect(await ledgerOf(service.url, 'orderId=ord_1')).toHaveLength(1);
  });

  it('makes one authorization of many calls racing with one key', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => authorize(service.url, 'key-race', order(2))));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(await ledgerOf(service.url, 'orderId=ord_2')).toHaveLength(1);
  });

  it('refuses a key used again for another amount', async () => {
    await authorize(service.url, 'key-3', order(3));
    const reused = await authorize(service.url, 'key-3', order(3, 'cus_0001', 99_00));
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe('idempotency_key_reused');
  });

  it('says what is wrong with a request it cannot take', async () => {
    const noKey = await authorize(service.url, undefined, order(4));
    expect(noKey).toMatchObject({ status: 400, body: { error: { code: 'idempotency_key_missing' } } });
    const badAmount = await authorize(service.url, 'key-4', { ...order(4), amount: 12.5 });
    expect(badAmount.status).toBe(400);
    expect(badAmount.body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^amount: /),
    });
    const badCurrency = await authorize(service.url, 'key-4', { ...order(4), currency: 'dollars' });
    expect(badCurrency.body.error?.message).toMatch(/^currency: /);
    const notJson = await call(`${service.url}/v1/authorizations`, {
      method: 'POST',
      headers: { 'idempotency-key': 'key-4' },
      body: '{',
    });
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
  });

  it('declines by test customer, configured customer and amount, with the decline code, and charges none of them', async () => {
    const cases = [
      { body: order(5, 'cus_decline_a'), code: 'card_declined' },
      { body: order(6, 'cus_nofunds_a'), code: 'insufficient_funds' },
      { body: order(7, 'cus_0007'), code: 'card_declined' },
      { body: order(8, 'cus_0001', 200_000_000), code: 'amount_too_large' },
    ];
    for (const [index, { body, code }] of cases.entries()) {
      const answer = await authorize(service.url, `key-decline-${index}`, body);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ status: 'declined', declineCode: code });
    }
    expect(await ledgerOf(service.url, 'customerId=cus_0007&status=authorized')).toHaveLength(0);
    expect(await ledgerOf(service.url, 'customerId=cus_0007&status=declined')).toHaveLength(1);
  });

  it('answers 500 for cus_error and records nothing, and never answers cus_timeout', async () => {
    const failed = await authorize(service.url, 'key-error', order(9, 'cus_error'));
    expect(failed).toMatchObject({ status: 500, body: { error: { code: 'processing_error' } } });
    expect(await ledgerOf(service.url, 'orderId=ord_9')).toHaveLength(0);
    await expect(
      authorize(service.url, 'key-timeout', order(10, 'cus_timeout'), AbortSignal.timeout(500)),
    ).rejects.toThrow(/aborted|timeout/i);
    expect(await ledgerOf(service.url, 'orderId=ord_10')).toHaveLength(0);
  });

  it('goes into an outage when switched, and out of it when switched off or when its time is up', async () => {
    const outage = (body: object | undefined) =>
      call(`${service.url}/v1/test/outage`, {
        method: body === undefined ? 'DELETE' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await outage({ mode: 'errors' })).status).toBe(200);
    const refused = await authorize(service.url, 'key-outage', order(11));
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'service_unavailable' } } });
    await outage(undefined);
    expect((await authorize(service.url, 'key-outage', order(11))).status).toBe(201);

    await outage({ mode: 'reset', durationMs: 300 });
    await expect(authorize(service.url, 'key-reset', order(12))).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await authorize(service.url, 'key-reset', order(12))).status).toBe(201);
  });

  it('keeps every key it answered across a kill -9 and a new start', async () => {
    const before = await authorize(service.url, 'key-durable', order(13));
    await service.kill('SIGKILL');
    await service.restart();
    const after = await authorize(service.url, 'key-durable', order(13));
    expect(after).toMatchObject({ status: 200, replayed: true });
    expect(after.body.id).toBe(before.body.id);
    expect(await ledgerOf(service.url, 'orderId=ord_13')).toHaveLength(1);
  });
});
