/**
 * What the image gives a service, read from the Dockerfile itself so that the tests run the
 * production artifacts with exactly that: the runtime stage's ENV, and the command that starts
 * a service (ENTRYPOINT + the service's name).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BROKERS, PAYMENTS_URL, REDIS_URL, repoRoot, type SystemEnv } from '../support/index.ts';

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(): string[] {
  const text = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The instructions of the last stage (the runtime image). */
function runtimeStage(): string[] {
  const all = instructions();
  const lastFrom = all.findLastIndex((line) => /^FROM\s/i.test(line));
  return all.slice(lastFrom);
}

/** The runtime stage's `ENV KEY=value ...` settings. */
export function imageEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of runtimeStage().filter((instruction) => /^ENV\s/i.test(instruction))) {
    for (const [, key, value] of line.slice(4).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[key!] = value!.replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** The runtime stage's ENTRYPOINT as an argument list (its exec form). */
export function imageEntrypoint(): string[] {
  const line = runtimeStage().find((instruction) => /^ENTRYPOINT\s/i.test(instruction));
  if (line === undefined) throw new Error('the Dockerfile has no ENTRYPOINT in its runtime stage');
  return JSON.parse(line.slice('ENTRYPOINT'.length).trim()) as string[];
}

/**
 * A production service's settings on the shared servers: the system's stores (not its env, which names
 * development mode, the test support's), the secret, and the payment service production must name.
 */
export function productionSettings(system: SystemEnv, authSecret: string): Record<string, string> {
  return {
    MONGODB_URI: system.mongoUri,
    NAME_PREFIX: system.prefix,
    AUTH_SECRET: authSecret,
    KAFKA_BROKERS: BROKERS.join(','),
    REDIS_URL,
    PAYMENTS_URL,
  };
}
