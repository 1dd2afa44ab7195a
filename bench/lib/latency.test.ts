import { describe, expect, it } from 'vitest';
import { summarize } from './latency.ts';

describe('summarize', () => {
  it('takes the nearest-rank percentiles of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('says NaN rather than zero when there are no samples', () => {
    expect(summarize([]).p99).toBeNaN();
  });
});
