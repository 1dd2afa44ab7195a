import { describe, expect, it } from 'vitest';
import type { OrderStatusMessage } from '@orders/core';
import { DecisionWindow, RATE_SECONDS, WINDOW_SECONDS, bucketOf, decisionLatencySeconds } from './decision-window.ts';

function clock(startMs = 1_800_000_000_000) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('the decision window', () => {
  it('counts the decisions of the last ten full seconds, per second', () => {
    const time = clock();
    const window = new DecisionWindow(time.now);
    time.advance(30_000);
    for (let second = 0; second < RATE_SECONDS; second++) {
      for (let i = 0; i < 3; i++) window.record(0.2);
      time.advance(1000);
    }
    expect(window.figures().perSecond).toBe(3);
    expect(window.figures().lastMinute).toBe(3 * RATE_SECONDS);
  });

  it('divides by the seconds it has seen while it is younger than the rate span', () => {
    const time = clock();
    const window = new DecisionWindow(time.now);
    for (let i = 0; i < 4; i++) window.record(0.1);
    time.advance(2000);
    expect(window.figures().perSecond).toBe(2);
  });

  it('forgets decisions older than a minute, whatever their number, in fixed memory', () => {
    const time = clock();
    const window = new DecisionWindow(time.now);
    for (let i = 0; i < 10_000; i++) window.record(5);
    time.advance((WINDOW_SECONDS + 1) * 1000);
    window.record(0.5);
    const figures = window.figures();
    expect(figures.lastMinute).toBe(1);
    expect(figures.p95Seconds).toBeCloseTo(0.5, 5);
  });

  it('reads the p95 latency within ten per cent', () => {
    const time = clock();
    const window = new DecisionWindow(time.now);
    // 1..100 ms, then 1..100 s: the 95th percentile of these 200 is 90 s.
    for (let i = 1; i <= 100; i++) window.record(i / 1000);
    for (let i = 1; i <= 100; i++) window.record(i);
    const p95 = window.figures().p95Seconds!;
    expect(p95).toBeGreaterThan(90 / 1.1);
    expect(p95).toBeLessThan(90 * 1.1);
  });

  it('has no p95 before any decision, and never reports one above the slowest decision', () => {
    const window = new DecisionWindow();
    expect(window.figures().p95Seconds).toBeNull();
    window.record(0.3);
    expect(window.figures().p95Seconds).toBeCloseTo(0.3, 5);
  });

  it('puts each latency in a bucket whose bound is at or above it and within ten per cent', () => {
    for (const latency of [0.0011, 0.05, 1, 7.3, 120]) {
      const bound = 0.001 * 1.1 ** bucketOf(latency);
      expect(bound).toBeGreaterThanOrEqual(latency * 0.999999);
      expect(bound).toBeLessThan(latency * 1.1);
    }
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(10 ** 9)).toBe(159);
  });
});

function message(status: 'PENDING' | 'PROCESSED' | 'FAILED', history: [string, string][]): OrderStatusMessage {
  const at = history.at(-1)![1];
  return {
    change: { status, at } as OrderStatusMessage['change'],
    order: {
      createdAt: history[0]![1],
      history: history.map(([entryStatus, entryAt], i) => ({
        version: i + 1,
        previousStatus: null,
        status: entryStatus,
        at: entryAt,
        error: null,
      })),
    } as unknown as OrderStatusMessage['order'],
  };
}

describe('a decision latency', () => {
  const cases: {
    name: string;
    status: 'PENDING' | 'PROCESSED' | 'FAILED';
    history: [string, string][];
    seconds: number | null;
  }[] = [
    {
      name: 'runs from the order creation to its decision',
      status: 'PROCESSED',
      history: [
        ['PENDING', '2026-12-02T06:00:00.000Z'],
        ['PROCESSED', '2026-12-02T06:00:01.250Z'],
      ],
      seconds: 1.25,
    },
    {
      name: 'runs from the retry, not the creation, for a retried order',
      status: 'FAILED',
      history: [
        ['PENDING', '2026-12-02T06:00:00.000Z'],
        ['FAILED', '2026-12-02T06:00:01.000Z'],
        ['PENDING', '2026-12-02T06:10:00.000Z'],
        ['FAILED', '2026-12-02T06:10:00.400Z'],
      ],
      seconds: 0.4,
    },
    {
      name: 'is none for a change back to PENDING, which is not a decision',
      status: 'PENDING',
      history: [
        ['PENDING', '2026-12-02T06:00:00.000Z'],
        ['FAILED', '2026-12-02T06:00:01.000Z'],
        ['PENDING', '2026-12-02T06:10:00.000Z'],
      ],
      seconds: null,
    },
  ];

  it.each(cases)('$name', ({ status, history, seconds }) => {
    expect(decisionLatencySeconds(message(status, history))).toBe(seconds);
  });
});
