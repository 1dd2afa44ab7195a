/**
 * What each processor waits on, shared through Redis for the server's Pipeline panel: its payment
 * breaker and its paused partitions with their cause. One hash per system, one field per processor
 * instance holding its latest state as JSON with the time it expires: a processor renews its field
 * every few seconds and deletes it when it stops, and one that died is ignored once its field is past
 * that time (and removed by the next reader or writer). The hash itself expires with its last writer.
 *
 * Redis 7.0 (the one Debian ships) has no expiry per hash field, hence the expiry time in the value.
 */
import type { Redis } from 'ioredis';

/** How often a processor renews its state (and at once on a change). */
export const PROCESSOR_STATE_INTERVAL_MS = 5000;
/** How long a state counts once written: three renewals, so a dead processor's state is gone within 15 s. */
export const PROCESSOR_STATE_TTL_MS = 15_000;
/** A pause's reason is cut to this many characters: a state stays small whatever an error says. */
export const PAUSE_REASON_MAX = 300;

/** The payment breaker as cockatiel names its states. */
export type PaymentBreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

export interface SharedPause {
  readonly partition: number;
  /** What the partition waits on: 'payments', 'database', 'kafka', 'redis' or 'other'. */
  readonly cause: string;
  readonly since: string;
  readonly reason: string;
}

export interface ProcessorState {
  /** Which processor: its host name, process id and a random suffix. */
  readonly instance: string;
  readonly breaker: PaymentBreakerState;
  /** Since when the breaker has been in its state (ISO 8601). */
  readonly breakerSince: string;
  /** Its paused partitions of `orders.created` (at most the topic's partitions). */
  readonly paused: readonly SharedPause[];
  /** When it was written (ISO 8601). */
  readonly at: string;
  /** When it stops counting, in ms since the epoch. */
  readonly expiresAt: number;
}

/** The Redis key of a system's processor states. A hash tag of its own, as the other keys of a system. */
export const processorStatesKey = (prefix = '') => `{${prefix}processors}:state`;

type StateRedis = Pick<Redis, 'multi' | 'hdel' | 'hgetall'>;

const expiredFields = (fields: Record<string, string>, now: number): string[] =>
  Object.entries(fields)
    .filter(([, value]) => {
      const state = parseProcessorState(value);
      return state === undefined || state.expiresAt <= now;
    })
    .map(([field]) => field);

/** Writes (or renews) one processor's state, and removes the states that expired meanwhile. */
export async function writeProcessorState(redis: StateRedis, prefix: string, state: ProcessorState): Promise<void> {
  const key = processorStatesKey(prefix);
  const bounded: ProcessorState = {
    ...state,
    paused: state.paused.map((pause) => ({ ...pause, reason: pause.reason.slice(0, PAUSE_REASON_MAX) })),
  };
  const ttlMs = Math.max(1, state.expiresAt - Date.now());
  const results = await redis
    .multi()
    .hset(key, state.instance, JSON.stringify(bounded))
    .pexpire(key, ttlMs)
    .hgetall(key)
    .exec();
  const fields = (results?.[2]?.[1] ?? {}) as Record<string, string>;
  const expired = expiredFields(fields, Date.now());
  if (expired.length > 0) await redis.hdel(key, ...expired);
}

/** Deletes one processor's state: it stopped. */
export async function removeProcessorState(redis: StateRedis, prefix: string, instance: string): Promise<void> {
  await redis.hdel(processorStatesKey(prefix), instance);
}

/** The states of the processors alive now, by instance; expired ones are removed on the way. */
export async function readProcessorStates(
  redis: StateRedis,
  prefix: string,
  now = Date.now(),
): Promise<ProcessorState[]> {
  const key = processorStatesKey(prefix);
  const fields = await redis.hgetall(key);
  const expired = expiredFields(fields, now);
  if (expired.length > 0) await redis.hdel(key, ...expired);
  return Object.values(fields)
    .map(parseProcessorState)
    .filter((state): state is ProcessorState => state !== undefined && state.expiresAt > now)
    .sort((a, b) => a.instance.localeCompare(b.instance));
}

/** A state as stored, or undefined for anything that is not one (a writer of another version, say). */
export function parseProcessorState(text: string): ProcessorState | undefined {
  try {
    const value = JSON.parse(text) as Partial<ProcessorState> | null;
    if (
      typeof value?.instance !== 'string' ||
      typeof value.breaker !== 'string' ||
      typeof value.expiresAt !== 'number' ||
      !Array.isArray(value.paused)
    ) {
      return undefined;
    }
    return value as ProcessorState;
  } catch {
    return undefined;
  }
}
