/**
 * The decisions of the last minute, second by second: how many there were and
 * how long each order waited for its decision, kept as a latency histogram per
 * second. Memory is fixed (60 seconds × a fixed set of buckets) however many
 * orders are decided, and a second older than the window is overwritten.
 */
import { awaitsDecision, isDecidedStatus, type OrderStatusMessage } from '@orders/core';

export const WINDOW_SECONDS = 60;
/** The span of `decisionsPerSecond`: short enough to show a stop within seconds, long enough to be steady. */
export const RATE_SECONDS = 10;

// Bucket k holds latencies in (1 ms × 1.1^(k-1), 1 ms × 1.1^k]: a p95 read from them is within 10 %,
// and 160 buckets reach past an hour (anything longer goes in the last).
const FIRST_BOUND_SECONDS = 0.001;
const GROWTH = 1.1;
const BUCKETS = 160;

const upperBound = (bucket: number) => FIRST_BOUND_SECONDS * GROWTH ** bucket;

export function bucketOf(latencySeconds: number): number {
  if (!(latencySeconds > FIRST_BOUND_SECONDS)) return 0;
  const bucket = Math.ceil(Math.log(latencySeconds / FIRST_BOUND_SECONDS) / Math.log(GROWTH) - 1e-9);
  return Math.min(BUCKETS - 1, bucket);
}

interface Second {
  /** Which second (since the epoch) this slot holds; -1 when never used. */
  at: number;
  count: number;
  max: number;
  readonly latencies: Uint32Array;
}

export interface DecisionFigures {
  /** Decisions per second over the last RATE_SECONDS full seconds (or as many as the window has seen). */
  readonly perSecond: number;
  readonly lastMinute: number;
  /** The 95th percentile of the last minute's latencies in seconds; null without a decision. */
  readonly p95Seconds: number | null;
}

export class DecisionWindow {
  private readonly seconds: Second[] = Array.from({ length: WINDOW_SECONDS }, () => ({
    at: -1,
    count: 0,
    max: 0,
    latencies: new Uint32Array(BUCKETS),
  }));
  private readonly startedAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = Math.floor(now() / 1000);
  }

  /** One decision, received now, that took `latencySeconds` from the order's wait to its decision. */
  record(latencySeconds: number): void {
    const at = Math.floor(this.now() / 1000);
    const slot = this.seconds[at % WINDOW_SECONDS]!;
    if (slot.at !== at) {
      slot.at = at;
      slot.count = 0;
      slot.max = 0;
      slot.latencies.fill(0);
    }
    const latency = Math.max(0, latencySeconds);
    slot.count += 1;
    slot.max = Math.max(slot.max, latency);
    slot.latencies[bucketOf(latency)]! += 1;
  }

  figures(): DecisionFigures {
    const now = Math.floor(this.now() / 1000);
    const inMinute = this.seconds.filter((slot) => slot.at > now - WINDOW_SECONDS && slot.at <= now);
    const rateSpan = Math.max(1, Math.min(RATE_SECONDS, now - this.startedAt));
    const inRate = inMinute.filter((slot) => slot.at >= now - rateSpan && slot.at < now);
    return {
      perSecond: inRate.reduce((sum, slot) => sum + slot.count, 0) / rateSpan,
      lastMinute: inMinute.reduce((sum, slot) => sum + slot.count, 0),
      p95Seconds: percentile(inMinute, 0.95),
    };
  }
}

/** The `q` quantile of the seconds' latencies, interpolated within its bucket and never above the largest seen. */
function percentile(seconds: readonly Second[], q: number): number | null {
  const total = seconds.reduce((sum, slot) => sum + slot.count, 0);
  if (total === 0) return null;
  const max = Math.max(...seconds.map((slot) => slot.max));
  const rank = Math.ceil(q * total);
  let below = 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const inBucket = seconds.reduce((sum, slot) => sum + slot.latencies[bucket]!, 0);
    if (below + inBucket >= rank) {
      const lower = bucket === 0 ? 0 : upperBound(bucket - 1);
      const value = lower + ((upperBound(bucket) - lower) * (rank - below)) / inBucket;
      return Math.min(value, max);
    }
    below += inBucket;
  }
  return max;
}

/**
 * How long a decided order waited: from the moment it last became PENDING (its creation, or its
 * retry) to the decision. Null for a change that is not a decision (a retry setting it PENDING).
 */
export function decisionLatencySeconds({ change, order }: OrderStatusMessage): number | null {
  if (!isDecidedStatus(change.status)) return null;
  const decidedAt = Date.parse(change.at);
  const waits = order.history
    .filter((entry) => awaitsDecision(entry.status) && Date.parse(entry.at) <= decidedAt)
    .map((entry) => Date.parse(entry.at));
  const since = waits.length > 0 ? Math.max(...waits) : Date.parse(order.createdAt);
  if (Number.isNaN(decidedAt) || Number.isNaN(since)) return null;
  return Math.max(0, decidedAt - since) / 1000;
}
