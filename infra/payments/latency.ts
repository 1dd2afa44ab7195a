/**
 * How long an authorization takes: a log-normal spread with the configured
 * median and 99th percentile, the shape a provider's response times have (most
 * calls near the median, a long tail).
 */

/** The standard normal's 99th percentile. */
const Z99 = 2.326348;

export function latencySampler(
  latency: { readonly p50Ms: number; readonly p99Ms: number },
  random: () => number = Math.random,
): () => number {
  if (latency.p50Ms <= 0) return () => 0;
  const mu = Math.log(latency.p50Ms);
  const sigma = Math.log(Math.max(latency.p99Ms, latency.p50Ms) / latency.p50Ms) / Z99;
  return () => {
    // Box-Muller: one standard normal from two uniforms (1 - u keeps the logarithm finite).
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.round(Math.exp(mu + sigma * normal));
  };
}
