/**
 * The Pipeline panel's subscription against a real server, processor and
 * broker: with no processor it says so and the lag rises with every order
 * until it warns that the lag grows; with a processor the lag falls back to
 * zero and the decisions show with their latency. Operators only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Processor } from '@orders/processor';
import { collect, startTestProcessor, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';

interface Health {
  at: string;
  decisionsPerSecond: number;
  decisionsLastMinute: number;
  decisionLatencyP95Seconds: number | null;
  consumerLag: {
    total: number;
    partitions: { partition: number; lag: number; committedOffset: string; endOffset: string }[];
  } | null;
  processors: number | null;
  deadLetters: number | null;
  warnings: { code: string; message: string }[];
}

const HEALTH = `at decisionsPerSecond decisionsLastMinute decisionLatencyP95Seconds
  consumerLag { total partitions { partition lag committedOffset endOffset } }
  processors deadLetters warnings { code message }`;

let server: TestServer;
let processor: Processor | undefined;
beforeAll(async () => {
  server = await startTestServer('pipeline');
});
afterAll(async () => {
  await processor?.stop();
  await server?.close();
});

const create = (i: number) =>
  server.graphql(`mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`, {
    input: { customerId: `cus_000${1 + (i % 5)}`, sku: `SKU-000${1 + (i % 7)}`, quantity: 1 },
  });

const codes = (health: Health | undefined) => health?.warnings.map((w) => w.code) ?? [];

describe('the pipelineHealth subscription', () => {
  it('says no processor runs, shows the lag rising with each order, then warns that it grows', async () => {
    const feed = collect<{ pipelineHealth: Health }>(
      server.wsClient(),
      `subscription { pipelineHealth { ${HEALTH} } }`,
    );
    const latest = () => feed.received.at(-1)?.pipelineHealth;
    await waitFor('a first sample', () => latest(), 10_000);
    expect(latest()?.processors).toBe(0);
    expect(codes(latest())).toContain('NO_PROCESSOR');
    expect(latest()?.consumerLag?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4, 5]);

    // An order or two per sample, until four samples in a row have seen the lag rise.
    let made = 0;
    const growing = await waitFor(
      'the LAG_GROWING warning',
      async () => {
        await create(made++);
        await new Promise((resolve) => setTimeout(resolve, 700));
        const health = latest();
        return codes(health).includes('LAG_GROWING') ? health : undefined;
      },
      30_000,
      0,
    );
    expect(growing.consumerLag!.total).toBeGreaterThan(0);
    expect(growing.consumerLag!.total).toBeLessThanOrEqual(made);
    expect(growing.warnings.find((w) => w.code === 'LAG_GROWING')?.message).toMatch(
      /rose in each of the last 4 samples/,
    );
    expect(feed.errors).toEqual([]);
    feed.unsubscribe();
  });

  it('shows the processor, the lag back at zero and the decisions with their latency once a processor runs', async () => {
    const feed = collect<{ pipelineHealth: Health }>(
      server.wsClient(),
      `subscription { pipelineHealth { ${HEALTH} } }`,
    );
    processor = await startTestProcessor(server);
    const recovered = await waitFor(
      'the lag back at zero with a processor in the group',
      () => {
        const health = feed.received.at(-1)?.pipelineHealth;
        return health?.processors === 1 && health.consumerLag?.total === 0 && health.decisionsLastMinute > 0
          ? health
          : undefined;
      },
      60_000,
    );
    expect(recovered.warnings).toEqual([]);
    expect(recovered.decisionLatencyP95Seconds).toBeGreaterThan(0);
    expect(recovered.decisionsPerSecond).toBeGreaterThan(0);
    expect(recovered.deadLetters).toBe(0);
    expect(feed.errors).toEqual([]);
    feed.unsubscribe();
  });

  it('answers the query for a first paint', async () => {
    const answer = await server.graphql<{ pipelineHealth: Health }>(`{ pipelineHealth { ${HEALTH} } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.pipelineHealth.processors).toBe(1);
    expect(answer.data?.pipelineHealth.deadLetters).toBe(0);
  });

  it('refuses a customer, on the query and the subscription alike', async () => {
    const token = await server.token('customer', 'cus_0001');
    const answer = await server.graphql(`{ pipelineHealth { at } }`, {}, token);
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const feed = collect(server.wsClient(token), `subscription { pipelineHealth { at } }`);
    await waitFor('the refusal', () => feed.errors.length > 0, 10_000);
    expect(JSON.stringify(feed.errors)).toContain('only an operator may follow the pipeline health');
    expect(feed.received).toEqual([]);
    feed.unsubscribe();
  });
});
