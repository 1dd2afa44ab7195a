/**
 * The services command: `npm run services -- up|down|status`.
 *
 * `up` starts real Kafka, MongoDB-wire and Redis servers on loopback and
 * returns once each does real work. It uses Docker Compose when an engine
 * answers and starts the servers natively otherwise. A server already listening
 * is reused, never started twice; `down` stops only what `up` started.
 */
import { ServiceError } from './errors.ts';
import { compose, dockerEngineAnswers } from './docker.ts';
import { ferretdb } from './ferretdb.ts';
import { brokerClient, ensureTopics, kafka } from './kafka.ts';
import { logFile } from './paths.ts';
import { isAlive, ownedPid, portOpen, stopOwned, waitFor } from './processes.ts';
import { redis } from './redis.ts';
import type { NativeService } from './service.ts';

const services: NativeService[] = [redis, ferretdb, kafka];

/** What preparing a service that was not listening came to. */
type Prepared = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * Installs and builds what is missing, one service after another, before any is started: these
 * steps block this process, and no server's start-up clock may run while another is being built.
 */
async function prepareMissing(): Promise<Map<NativeService, Prepared>> {
  const prepared = new Map<NativeService, Prepared>();
  for (const service of services) {
    if (await portOpen(service.port)) continue;
    try {
      await service.prepare();
      prepared.set(service, { ok: true });
    } catch (error) {
      prepared.set(service, { ok: false, error });
    }
  }
  return prepared;
}

async function ensure(service: NativeService, prepared: Prepared | undefined): Promise<string> {
  if (prepared?.ok === false) throw prepared.error;
  const owned = ownedPid(service.name);
  if (await portOpen(service.port)) {
    try {
      await service.probe();
    } catch (error) {
      if (owned !== undefined) {
        // Ours, but still starting: wait for it like a fresh start.
        await waitFor(service.name, () => service.probe(), {
          timeoutMs: service.startTimeoutMs,
          isDead: () => !isAlive(owned),
        });
        return `running (pid ${owned})`;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServiceError(
        service.name,
        `port ${service.port} is taken by something that does not answer as ${service.name} (${reason})`,
        `stop what listens there (ss -ltnp 'sport = :${service.port}') and retry`,
      );
    }
    return owned === undefined ? 'already running (not started by this command, left alone)' : `running (pid ${owned})`;
  }

  // Listening a moment ago, gone now: not prepared above.
  if (prepared === undefined) await service.prepare();
  const pid = service.start();
  try {
    await waitFor(service.name, () => service.probe(), {
      timeoutMs: service.startTimeoutMs,
      isDead: () => !isAlive(pid),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceError(
      service.name,
      `did not become ready: ${reason}`,
      'read the log below',
      logFile(service.name),
    );
  }
  return `started (pid ${pid})`;
}

async function up(): Promise<void> {
  if (dockerEngineAnswers()) {
    console.log('Docker engine found: docker compose up -d --wait');
    compose(['up', '-d', '--wait']);
    await ensureTopics(brokerClient('services-topics'));
    return;
  }
  const started = Date.now();
  const prepared = await prepareMissing();
  const outcomes = await Promise.allSettled(services.map((service) => ensure(service, prepared.get(service))));
  const failures: unknown[] = [];
  outcomes.forEach((outcome, index) => {
    const service = services[index]!;
    if (outcome.status === 'fulfilled') {
      console.log(
        `${service.name.padEnd(8)} 127.0.0.1:${service.port}  ${outcome.value}  log: ${logFile(service.name)}`,
      );
    } else {
      failures.push(outcome.reason);
    }
  });
  if (failures.length === 0) {
    await kafka.afterReady?.();
    console.log(`services ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return;
  }
  for (const failure of failures) {
    console.error(failure instanceof ServiceError ? failure.describe() : failure);
  }
  process.exitCode = 1;
}

async function down(): Promise<void> {
  if (dockerEngineAnswers()) {
    compose(['down']);
    return;
  }
  for (const service of [...services].reverse()) {
    const stopped = await stopOwned(service.name);
    console.log(`${service.name.padEnd(8)} ${stopped ? 'stopped' : 'not started by this command: left alone'}`);
  }
}

async function status(): Promise<void> {
  let allReady = true;
  for (const service of services) {
    const pid = ownedPid(service.name);
    const listening = await portOpen(service.port);
    let state = 'down';
    if (listening) {
      state = await service.probe().then(
        () => 'ready',
        (error: unknown) => `not answering (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (state !== 'ready') allReady = false;
    const owner = pid === undefined ? (listening ? 'external' : '-') : `pid ${pid}`;
    console.log(
      `${service.name.padEnd(8)} 127.0.0.1:${service.port}  ${state}  ${owner}  log: ${logFile(service.name)}`,
    );
  }
  if (!allReady) process.exitCode = 1;
}

const commands: Record<string, () => Promise<void>> = { up, down, status };
const name = process.argv[2] ?? 'up';
const command = commands[name];
if (command === undefined) {
  console.error(`unknown command "${name}": use up, down or status`);
  process.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(error instanceof ServiceError ? error.describe() : error);
  process.exitCode = 1;
}
