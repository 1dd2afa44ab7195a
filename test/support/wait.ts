/** Waiting for a condition, with a deadline: every wait a test, benchmark or the end-to-end suite makes. */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `everyMs` until it gives a truthy value (true, or what was waited for), and
 * resolves with it; a check that throws is tried again. Fails with `what` (and the last error
 * `check` threw, if any) once `timeoutMs` has passed.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(everyMs);
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: lastError });
}

/**
 * Runs a read or write of the test's own on the stores, trying again for a while when it fails:
 * after a store's server restarts, pooled connections fail once before new ones open.
 */
export async function retrying<T>(what: string, operation: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} kept failing for ${timeoutMs} ms`, { cause: error });
      await sleep(500);
    }
  }
}
