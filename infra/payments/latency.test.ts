import { describe, expect, it } from 'vitest';
import { latencySampler } from './latency.ts';

/** A small seeded generator (mulberry32), so the spread is the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.floor(sorted.length * p)]!;

describe('the latency spread', () => {
  it('has the configured median and 99th percentile', () => {
    const sample = latencySampler({ p50Ms: 100, p99Ms: 400 }, seeded(7));
    const draws = Array.from({ length: 40_000 }, sample).sort((a, b) => a - b);
    expect(percentile(draws, 0.5)).toBeGreaterThanOrEqual(95);
    expect(percentile(draws, 0.5)).toBeLessThanOrEqual(105);
    expect(percentile(draws, 0.99)).toBeGreaterThanOrEqual(370);
    expect(percentile(draws, 0.99)).toBeLessThanOrEqual(430);
    expect(draws[0]).toBeGreaterThanOrEqual(0);
  });

  it('is always zero when no latency is configured', () => {
    const sample = latencySampler({ p50Ms: 0, p99Ms: 0 });
    expect(Array.from({ length: 100 }, sample).every((ms) => ms === 0)).toBe(true);
  });

  it('is the median every time when the 99th percentile equals it', () => {
    const sample = latencySampler({ p50Ms: 80, p99Ms: 80 }, seeded(3));
    expect(new Set(Array.from({ length: 100 }, sample))).toEqual(new Set([80]));
  });
});
