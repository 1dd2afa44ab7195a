/**
 * A token bucket per key: `burst` requests at once, then `perSecond` on
 * average. createOrder's key is the caller's subject (its role and subject,
 * as its token names them), not the token: every token of one customer shares
 * one bucket, so a client cannot multiply its rate by holding more tokens. In memory, per server instance: N instances allow N
 * times the rate, which is what a limit against runaway clients needs.
 */
import { createGraphQLError } from 'graphql-yoga';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request's worth for `key`; throws RATE_LIMITED, with when to try again, when there is none left. */
  take(key: string, what: string): void {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.forgetIdle(now);
      return;
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
    throw createGraphQLError(
      `too many ${what}: at most ${this.perSecond} a second (${this.burst} at once); try again in ${retryAfterMs} ms`,
      { extensions: { code: 'RATE_LIMITED', retryAfterMs, http: { status: 429 } } },
    );
  }

  /** Drops full buckets now and then, so that the map holds only keys in recent use. */
  private forgetIdle(now: number): void {
    if (this.buckets.size < 10_000) return;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
  }
}
