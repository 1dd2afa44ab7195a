/** Statistics arrive from a query and a subscription, in any order: the one read last (by `at`) wins. */

export function latestStats<T extends { at: string }>(...candidates: readonly (T | null | undefined)[]): T | null {
  let latest: T | null = null;
  for (const candidate of candidates) {
    if (candidate && (!latest || Date.parse(candidate.at) >= Date.parse(latest.at))) latest = candidate;
  }
  return latest;
}
