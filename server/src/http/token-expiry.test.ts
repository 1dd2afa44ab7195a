import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LONGEST_TIMEOUT_MS, atExpiry } from './token-expiry.ts';

const DAY_MS = 24 * 3600 * 1000;

describe('atExpiry', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it('does not fire early for a token valid a year, longer than one timer can wait', () => {
    const expired = vi.fn();
    atExpiry(365 * DAY_MS, expired);
    vi.advanceTimersByTime(1);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(LONGEST_TIMEOUT_MS);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(365 * DAY_MS - LONGEST_TIMEOUT_MS - 2);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(365 * DAY_MS);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('fires to the millisecond for a short token', () => {
    const expired = vi.fn();
    atExpiry(9000, expired);
    vi.advanceTimersByTime(8999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a token already expired, and never once cancelled', () => {
    const past = vi.fn();
    atExpiry(-5, past);
    expect(past).toHaveBeenCalledTimes(1);
    const cancelled = vi.fn();
    const cancel = atExpiry(30 * DAY_MS, cancelled);
    vi.advanceTimersByTime(LONGEST_TIMEOUT_MS + 10);
    cancel();
    vi.advanceTimersByTime(30 * DAY_MS);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
