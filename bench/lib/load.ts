/** HTTP load with autocannon, summarised: requests per second, latency percentiles, errors. */
import autocannon from 'autocannon';
import { authorization } from '../../test/support/index.ts';

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

export function load(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      const seconds = result.duration || 1;
      resolve({
        // From the total, not the per-second average, so that a slow endpoint keeps its decimals.
        requestsPerSec: Math.round((result.requests.total / seconds) * 10) / 10,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx + result.timeouts,
      });
    });
  });
}

/** A GraphQL POST for autocannon. */
export function graphqlLoad(url: string, query: string, connections: number, seconds: number): autocannon.Options {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query }),
    connections,
    duration: seconds,
  };
}

export const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : Infinity);
