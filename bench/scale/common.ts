/** What the scale benchmark's steps share: its log line, its settings, and reading processes' CPU. */
import { cpuSeconds } from '../../test/support/index.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const step = (message: string) => console.error(`[bench] scale: ${message}`);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const round1 = (value: number) => Math.round(value * 10) / 10;

/** How one size is measured. */
export type SizeOptions = {
  seconds: number;
  connections: number;
  subscriptions: number;
  changesBack: number;
  created: number;
};
/** The database, Redis and prefix of one size, as the server and the tools read them. */
export type SizeEnv = { MONGODB_URI: string; REDIS_URL: string; KAFKA_TOPIC_PREFIX: string } & Record<string, string>;

/** CPU seconds of a process so far; NaN once it has gone (a store restarted while measured). */
export function cpuOf(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used since `before`, per process; those that went away meanwhile are left out. */
export function cpuSince(before: Record<string, number>, now: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(now)
      .map(([name, seconds]): [string, number] => [name, seconds - (before[name] ?? Number.NaN)])
      .filter(([, seconds]) => Number.isFinite(seconds)),
  );
}
