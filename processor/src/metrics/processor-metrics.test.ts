import type { MetricValueWithName } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../deciding/handle-order-created.ts';
import { ProcessorMetrics } from './processor-metrics.ts';

const createdAt = new Date('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(createdAt.getTime() + ms);

/** A decided outcome as the handlers give it: its announcements carry the changes and the order. */
function decided(
  status: 'PROCESSED' | 'FAILED',
  error: string | null,
  decidedAfterMs: number,
  retriedAfterMs?: number,
) {
  const order = { createdAt };
  const announcements = [
    ...(retriedAfterMs === undefined ? [] : [{ change: { status: 'PENDING', at: at(retriedAfterMs) }, order }]),
    { change: { status, at: at(decidedAfterMs) }, order },
  ];
  return { kind: 'decided', orderId: 'ord_1', status, error, announcements } as unknown as Outcome;
}

/** The `_sum` of a histogram's series with this status. */
async function secondsSum(metrics: ProcessorMetrics, status: string): Promise<number | undefined> {
  const histogram = await metrics.registry.getSingleMetric('order_decision_seconds')!.get();
  return (histogram.values as MetricValueWithName<string>[]).find(
    (sample) => sample.metricName === 'order_decision_seconds_sum' && sample.labels.status === status,
  )?.value;
}

async function valueOf(metrics: ProcessorMetrics, name: string, labels: Record<string, string> = {}) {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((sample) => Object.entries(labels).every(([key, wanted]) => String(sample.labels[key]) === wanted))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('the processor metrics', () => {
  it('count a decision by its status and reason, and time it from the order’s creation', async () => {
    const metrics = new ProcessorMetrics();
    metrics.observe(decided('PROCESSED', null, 250));
    metrics.observe(decided('FAILED', 'out of stock: SKU-0001 has 0 left, 1 requested', 1500));
    expect(await valueOf(metrics, 'order_decisions_total', { status: 'PROCESSED', reason: 'none' })).toBe(1);
    expect(await valueOf(metrics, 'order_decisions_total', { status: 'FAILED', reason: 'out_of_stock' })).toBe(1);
    expect(await secondsSum(metrics, 'PROCESSED')).toBeCloseTo(0.25, 6);
    expect(await secondsSum(metrics, 'FAILED')).toBeCloseTo(1.5, 6);
  });

  it('time a retried order from its return to PENDING, not from its creation', async () => {
    const metrics = new ProcessorMetrics();
    metrics.observe(decided('PROCESSED', null, 60_400, 60_000));
    expect(await secondsSum(metrics, 'PROCESSED')).toBeCloseTo(0.4, 6);
  });

  it('count dead letters by reason and redeliveries, and sum the retries of every processor it served', async () => {
    const metrics = new ProcessorMetrics();
    metrics.observe({ kind: 'dead-lettered', reason: 'unknown order', announcements: [] });
    metrics.observe({ kind: 'dead-lettered', reason: 'not JSON', announcements: [] });
    metrics.observe({ kind: 'redelivered', orderId: 'ord_1', announcements: [] });
    expect(await valueOf(metrics, 'order_dead_letters_total', { reason: 'unknown_order' })).toBe(1);
    expect(await valueOf(metrics, 'order_dead_letters_total', { reason: 'unreadable' })).toBe(1);
    expect(await valueOf(metrics, 'order_redeliveries_total')).toBe(1);

    const first = { processed: 0, failed: 0, deadLettered: 0, redelivered: 0, retries: 2 };
    const second = { ...first, retries: 3 };
    metrics.follow(first);
    metrics.follow(second);
    expect(await valueOf(metrics, 'order_retries_total')).toBe(5);
    second.retries++;
    expect(await valueOf(metrics, 'order_retries_total')).toBe(6);
  });

  it('shows every decision series at zero before the first, and no order or customer id anywhere', async () => {
    const metrics = new ProcessorMetrics();
    metrics.observe(decided('FAILED', 'order ord_123 of cus_0001 refused', 10));
    expect(await valueOf(metrics, 'order_decisions_total', { status: 'FAILED', reason: 'payment_declined' })).toBe(0);
    expect(await valueOf(metrics, 'order_decisions_total', { status: 'FAILED', reason: 'other' })).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/ord_|cus_/);
  });
});
