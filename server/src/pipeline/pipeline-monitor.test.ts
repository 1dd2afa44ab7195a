/**
 * The monitor's sharing of one sampler, with the consumer group given as a function: what these
 * tests check is when the monitor asks, not what Kafka answers (server/test/pipeline-health.test.ts
 * runs it on the real broker).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type OrderStatusMessage } from '@orders/core';
import type { GroupHealth } from './consumer-lag.ts';
import { PipelineMonitor, type PipelineHealth } from './pipeline-monitor.ts';

const logger = createLogger('pipeline-test', 'error');
const monitors: PipelineMonitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((monitor) => monitor.stop()));
});

function monitorOf(
  readGroup: () => Promise<GroupHealth>,
  extra: Partial<ConstructorParameters<typeof PipelineMonitor>[0]> = {},
) {
  const monitor = new PipelineMonitor({
    groupId: 'order-processor',
    readGroup,
    statusChanges: () => (async function* (): AsyncGenerator<OrderStatusMessage> {})(),
    logger,
    intervalMs: 20,
    ...extra,
  });
  monitors.push(monitor);
  monitor.start();
  return monitor;
}

function countingGroup(lags: number[] = []) {
  let reads = 0;
  return {
    reads: () => reads,
    read: async (): Promise<GroupHealth> => {
      const totalLag = lags[reads] ?? lags.at(-1) ?? 0;
      reads += 1;
      return {
        partitions: [{ partition: 0, committed: 0, end: totalLag, lag: totalLag }],
        totalLag,
        members: 1,
        state: 'Stable',
      };
    },
  };
}

async function take(iterable: AsyncIterable<PipelineHealth>, count: number): Promise<PipelineHealth[]> {
  const taken: PipelineHealth[] = [];
  for await (const health of iterable) {
    taken.push(health);
    if (taken.length === count) break;
  }
  return taken;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the pipeline monitor', () => {
  it('asks Kafka nothing while nobody subscribes', async () => {
    const group = countingGroup();
    monitorOf(group.read);
    await sleep(100);
    expect(group.reads()).toBe(0);
  });

  it('samples once per interval for every subscriber together, and stops after the last leaves', async () => {
    const group = countingGroup();
    const monitor = monitorOf(group.read);
    const [first, second] = await Promise.all([take(monitor.subscribe(), 5), take(monitor.subscribe(), 5)]);
    // Both saw the same samples: one read each time, not one per subscriber.
    expect(first.map((h) => h.at)).toEqual(second.map((h) => h.at));
    expect(group.reads()).toBeLessThanOrEqual(6);
    const afterLeaving = group.reads();
    await sleep(100);
    expect(group.reads()).toBe(afterLeaving);
  });

  it('warns that the lag grows once it rose at every one of the last samples', async () => {
    const group = countingGroup([1, 3, 5, 8, 8]);
    const monitor = monitorOf(group.read);
    const samples = await take(monitor.subscribe(), 5);
    const warned = samples.map((h) => h.warnings.some((w) => w.code === 'LAG_GROWING'));
    expect(warned).toEqual([false, false, false, true, false]);
  });

  it('says Kafka did not answer when a read takes longer than its bound, and goes on sampling', async () => {
    let reads = 0;
    const monitor = monitorOf(
      async () => {
        reads += 1;
        if (reads === 1) await sleep(1000);
        return { partitions: [], totalLag: 0, members: 1, state: 'Stable' };
      },
      { readTimeoutMs: 50 },
    );
    const [stuck, next] = await take(monitor.subscribe(), 2);
    expect(stuck?.group).toBeNull();
    expect(stuck?.warnings.map((w) => w.code)).toEqual(['KAFKA_UNREACHABLE']);
    expect(next?.group?.members).toBe(1);
    expect(next?.warnings).toEqual([]);
  });

  it('warns of what the processors wait on, and goes on without it when their states cannot be read', async () => {
    let reads = 0;
    const monitor = monitorOf(countingGroup().read, {
      topic: 'test_orders.created',
      readProcessorStates: async () => {
        reads += 1;
        if (reads === 2) throw new Error('Connection is closed.');
        return [
          {
            instance: 'proc-a',
            breaker: 'closed',
            breakerSince: new Date().toISOString(),
            paused: [
              { partition: 4, cause: 'redis', since: new Date().toISOString(), reason: 'Connection is closed.' },
            ],
            at: new Date().toISOString(),
            expiresAt: Date.now() + 15_000,
          },
        ];
      },
    });
    const [paused, unread] = await take(monitor.subscribe(), 2);
    expect(paused?.warnings.map((w) => w.code)).toEqual(['PIPELINE_PAUSED']);
    expect(paused?.warnings[0]?.message).toContain('1 partition of test_orders.created (4) waits on Redis');
    expect(unread?.warnings).toEqual([]);
  });

  it('counts the decisions it receives, with their latency', async () => {
    const decided = (ms: number): OrderStatusMessage =>
      ({
        change: { status: 'PROCESSED', at: new Date(Date.parse('2026-12-02T06:00:00.000Z') + ms).toISOString() },
        order: {
          createdAt: '2026-12-02T06:00:00.000Z',
          history: [{ status: 'PENDING', at: '2026-12-02T06:00:00.000Z' }],
        },
      }) as unknown as OrderStatusMessage;
    const monitor = monitorOf(countingGroup().read, {
      statusChanges: () =>
        (async function* () {
          yield decided(200);
          yield decided(400);
        })(),
    });
    await sleep(20);
    const health = await monitor.read();
    expect(health.decisions.lastMinute).toBe(2);
    expect(health.decisions.p95Seconds).toBeCloseTo(0.4, 5);
    expect(health.deadLetters).toBeNull();
  });
});
