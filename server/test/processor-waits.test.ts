/**
 * What the processors wait on, from their state in Redis to the Pipeline panel's warnings, against
 * the real servers: a payment service outage opens a processor's breaker and pauses its partitions,
 * and pipelineHealth says so until the service is back; a state nobody renews stops counting once it
 * expires; a processor that stops takes its state with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedis, writeProcessorState, readProcessorStates } from '@orders/core';
import type { Processor } from '@orders/processor';
import {
  startPaymentService,
  startTestProcessor,
  startTestServer,
  waitFor,
  type TestPaymentService,
  type TestServer,
} from '../../test/support/index.ts';

interface Health {
  warnings: { code: string; message: string }[];
}

let server: TestServer;
let redis: Redis;
let payments: TestPaymentService | undefined;
let processor: Processor | undefined;
beforeAll(async () => {
  server = await startTestServer('waits');
  redis = createRedis(server.config.redis);
});
afterAll(async () => {
  await processor?.stop();
  await payments?.close();
  redis?.disconnect();
  await server?.close();
});

const health = async () => {
  const answer = await server.graphql<{ pipelineHealth: Health }>(`{ pipelineHealth { warnings { code message } } }`);
  expect(answer.errors).toBeUndefined();
  return answer.data!.pipelineHealth;
};
const warning = (h: Health, code: string) => h.warnings.find((w) => w.code === code);
const prefix = () => server.config.namePrefix;

describe('the warnings from what the processors wait on', () => {
  it('show a state a processor wrote, and forget it once it expires unrenewed', async () => {
    const now = Date.now();
    await writeProcessorState(redis, prefix(), {
      instance: 'proc-gone',
      breaker: 'open',
      breakerSince: new Date(now - 60_000).toISOString(),
      paused: [
        { partition: 1, cause: 'database', since: new Date(now - 30_000).toISOString(), reason: 'no primary' },
        { partition: 4, cause: 'database', since: new Date(now - 20_000).toISOString(), reason: 'no primary' },
      ],
      at: new Date(now).toISOString(),
      expiresAt: now + 2000,
    });
    const shown = await health();
    expect(warning(shown, 'PAYMENTS_UNAVAILABLE')?.message).toMatch(
      /not closed on 1 of 1 processor \(proc-gone open since/,
    );
    expect(warning(shown, 'PIPELINE_PAUSED')?.message).toMatch(
      new RegExp(
        `^2 partitions of ${prefix()}orders.created \\(1, 4\\) wait on the database \\(MongoDB unreachable: no primary\\)`,
      ),
    );

    // No processor runs here: NO_PROCESSOR stays, the two warnings from the state go.
    await waitFor(
      'the unrenewed state to expire',
      async () => {
        const h = await health();
        return !warning(h, 'PAYMENTS_UNAVAILABLE') && !warning(h, 'PIPELINE_PAUSED') ? h : undefined;
      },
      10_000,
    );
    expect(await readProcessorStates(redis, prefix())).toEqual([]);
    expect(await redis.hlen(`{${prefix()}processors}:state`)).toBe(0);
  });

  it("warn while the payment service is down that a processor's breaker is open and its partitions wait, until it is back", async () => {
    payments = await startPaymentService();
    processor = await startTestProcessor(server, {
      PAYMENTS_URL: payments.url,
      PAYMENTS_RETRIES: '0',
      PAYMENTS_TIMEOUT_MS: '500',
      PAYMENTS_BREAKER_FAILURES: '2',
      PAYMENTS_BREAKER_HALF_OPEN_MS: '500',
    });
    const [state] = await waitFor('the processor to write its state', async () => {
      const states = await readProcessorStates(redis, prefix());
      return states.length === 1 ? states : undefined;
    });
    expect(state).toMatchObject({ breaker: 'closed', paused: [] });

    await payments.startOutage('errors');
    for (let i = 0; i < 3; i++) {
      const created = await server.graphql(
        `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`,
        { input: { customerId: 'cus_0001', sku: `SKU-000${1 + i}`, quantity: 1 } },
      );
      expect(created.errors).toBeUndefined();
    }
    const down = await waitFor(
      'both warnings during the outage',
      async () => {
        const h = await health();
        return warning(h, 'PAYMENTS_UNAVAILABLE') && warning(h, 'PIPELINE_PAUSED') ? h : undefined;
      },
      30_000,
    );
    expect(warning(down, 'PAYMENTS_UNAVAILABLE')?.message).toContain('their orders wait for payment');
    expect(warning(down, 'PIPELINE_PAUSED')?.message).toMatch(/wait(s)? on the payment service/);

    await payments.endOutage();
    await waitFor(
      'the warnings to clear once the payment service is back',
      async () => {
        const h = await health();
        return !warning(h, 'PAYMENTS_UNAVAILABLE') && !warning(h, 'PIPELINE_PAUSED') ? h : undefined;
      },
      30_000,
    );
  });

  it('lose a processor’s state as soon as the processor stops', async () => {
    processor ??= await startTestProcessor(server);
    await waitFor(
      'the processor state',
      async () => (await readProcessorStates(redis, prefix())).length === 1 || undefined,
    );
    await processor.stop();
    processor = undefined;
    expect(await readProcessorStates(redis, prefix())).toEqual([]);
  });
});
