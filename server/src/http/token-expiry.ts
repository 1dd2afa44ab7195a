/**
 * A call at a token's expiry, whatever its lifetime. Node fires a timer set past 2^31-1 ms (24.8 days)
 * after 1 ms instead: a long wait is armed in steps no longer than that, each re-armed until the
 * expiry is reached.
 */
import { createGraphQLError } from 'graphql-yoga';

/** The longest delay setTimeout honours. */
export const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

export const TOKEN_EXPIRED = 'TOKEN_EXPIRED';

/** What a subscriber is told when its token expires, on every transport. */
export const tokenExpired = () =>
  createGraphQLError('the token has expired; subscribe again with a fresh token', {
    extensions: { code: TOKEN_EXPIRED },
  });

/**
 * Calls `onExpired` once `expiresAt` (epoch ms) is reached: at once (synchronously) when it already has.
 * The returned function cancels it. The timers never keep the process alive.
 */
export function atExpiry(expiresAt: number, onExpired: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAt - now();
    if (left <= 0) {
      timer = undefined;
      onExpired();
      return;
    }
    timer = setTimeout(arm, Math.min(left, LONGEST_TIMEOUT_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
