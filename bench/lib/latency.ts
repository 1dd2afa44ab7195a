/** Latency summaries: percentiles over a list of samples in milliseconds. */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/**
 * The rate final states came out at while the run was steady: the orders finished between the 5th and
 * the 95th percentile of the final states' times, over that time. A pipeline that keeps up gives the
 * offered rate whatever its latency, and one that falls behind spreads them wider. (Measured from the
 * first send to the last final state, as before, the latency of the last orders counted as slowness: a
 * 10 s run whose orders take 600 ms looked 6% short; from the first final state to the last, the
 * spread of the latencies at the two ends did.)
 */
export function steadyRate(finals: readonly number[]): number {
  if (finals.length < 20) return 0;
  const sorted = [...finals].sort((a, b) => a - b);
  const from = Math.floor(sorted.length * 0.05);
  const to = Math.ceil(sorted.length * 0.95) - 1;
  const seconds = (sorted[to]! - sorted[from]!) / 1000;
  return seconds > 0 ? Math.round(((to - from) / seconds) * 10) / 10 : 0;
}
