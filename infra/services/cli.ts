/**
 * The services command: `npm run services -- up|down|status [--kafka-brokers 3] [--replication-factor 3] [--observability]`.
 *
 * `up` starts real Kafka, MongoDB-wire and Redis servers on loopback and
 * returns once each does real work. It uses Docker Compose when an engine
 * answers and starts the servers natively otherwise. A server already listening
 * is reused, never started twice; `down` stops only what `up` started.
 *
 * With `--kafka-brokers 3` Kafka is a cluster of three nodes on ports of its own
 * (see kafka-cluster.ts) instead of the single broker, which is left as it is:
 * `down --kafka-brokers 3` stops the cluster's nodes only, and `status` tells
 * which partitions each node leads and which are under-replicated.
 *
 * With `--observability` Prometheus comes too (Debian's package natively,
 * scraping the server and the processor on this machine; with Docker the
 * Compose profile `observability`, Prometheus and Grafana): `down` and `status`
 * with the flag handle it as well.
 *
 * With `--redis-ha` a Sentinel-managed Redis comes too (redis-ha.ts: two nodes and
 * three Sentinels, natively; the Compose profile `redis-ha` with Docker), beside
 * the single Redis: `down --redis-ha` stops that set only, and `status --redis-ha`
 * tells which node is primary and how far its replica lags.
 */
import { parseArgs } from 'node:util';
import { ServiceError } from './errors.ts';
import { compose, dockerEngineAnswers } from './docker.ts';
import { ferretdb } from './ferretdb.ts';
import { brokerClient, ensureTopics, kafka } from './kafka.ts';
import { CLUSTER_SIZES, clusterBrokers, clusterNode, clusterNodes, clusterReady } from './kafka-cluster.ts';
import { readPartitions } from './cluster-status.ts';
import { logFile } from './paths.ts';
import { isAlive, ownedPid, portOpen, stopOwned, waitFor } from './processes.ts';
import { payments } from './payments.ts';
import { ensureMetricsToken, prometheus } from './prometheus.ts';
import { redis } from './redis.ts';
import { REDIS_HA_ENV, redisHaReady, redisHaServices, redisHaStatus } from './redis-ha.ts';
import type { NativeService } from './service.ts';

const usage =
  'use: up | down | status, with --kafka-brokers 1 (the default) or 3, --replication-factor <n>, --observability and --redis-ha';

const args = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        'kafka-brokers': { type: 'string' },
        'replication-factor': { type: 'string' },
        observability: { type: 'boolean', default: false },
        'redis-ha': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
})();

/** How many Kafka brokers: 1 is the single broker on 9092; more is the cluster. */
const kafkaBrokers = Number(args.values['kafka-brokers'] ?? '1');
if (kafkaBrokers !== 1 && !(CLUSTER_SIZES as readonly number[]).includes(kafkaBrokers)) {
  console.error(
    `--kafka-brokers must be 1 or one of ${CLUSTER_SIZES.join(', ')}, not "${args.values['kafka-brokers']}"`,
  );
  process.exit(2);
}
const clustered = kafkaBrokers > 1;
const replicationFactor = Number(args.values['replication-factor'] ?? Math.min(3, kafkaBrokers));
if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
  console.error(
    `--replication-factor must be a whole number of at least 1, not "${args.values['replication-factor']}"`,
  );
  process.exit(2);
}
if (replicationFactor > kafkaBrokers) {
  const cluster = kafkaBrokers === 1 ? 'the single broker is one' : `the cluster has ${kafkaBrokers}`;
  const bigger = CLUSTER_SIZES.find((size) => size >= replicationFactor);
  console.error(
    `a replication factor of ${replicationFactor} needs at least ${replicationFactor} Kafka brokers, and ${cluster}: ` +
      `use --replication-factor ${kafkaBrokers} or less` +
      (bigger === undefined ? '' : `, or a cluster of ${bigger} (--kafka-brokers ${bigger})`),
  );
  process.exit(2);
}

const kafkaServices: NativeService[] = clustered
  ? clusterNodes(kafkaBrokers).map((node) => clusterNode(node, kafkaBrokers))
  : [kafka];
/** Prometheus beside the stores, with --observability. */
const observability = args.values.observability === true;
/** The Sentinel-managed Redis beside the single one, with --redis-ha. */
const redisHa = args.values['redis-ha'] === true;
const services: NativeService[] = [
  redis,
  ferretdb,
  ...kafkaServices,
  payments,
  ...(observability ? [prometheus] : []),
  ...(redisHa ? redisHaServices : []),
];
const width = Math.max(...services.map((service) => service.name.length));

/** The Compose services of the cluster profile (docker-compose.yml): three nodes. */
const COMPOSE_CLUSTER = ['kafka-1', 'kafka-2', 'kafka-3'];
/** The Compose services of the redis-ha profile: two nodes and three Sentinels. */
const COMPOSE_REDIS_HA = ['redis-ha-1', 'redis-ha-2', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'];

/** Waits until the Sentinel-managed Redis can fail over, and says how the services reach it. */
async function redisHaUp(): Promise<void> {
  await redisHaReady();
  console.log(
    `redis-ha: primary, replica and three Sentinels ready; for the services: ` +
      `REDIS_SENTINELS=${REDIS_HA_ENV.REDIS_SENTINELS} REDIS_MASTER_NAME=${REDIS_HA_ENV.REDIS_MASTER_NAME}`,
  );
}

async function kafkaReady(): Promise<void> {
  if (!clustered) {
    await ensureTopics(brokerClient('services-topics'), '', { replicationFactor });
    return;
  }
  await clusterReady(kafkaBrokers, replicationFactor);
  console.log(
    `kafka cluster: ${kafkaBrokers} nodes, topics on ${replicationFactor} replicas; for the services: ` +
      `KAFKA_BROKERS=${clusterBrokers(kafkaBrokers).join(',')}`,
  );
}

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
    if (clustered && kafkaBrokers !== COMPOSE_CLUSTER.length) {
      throw new ServiceError(
        'docker',
        `the Compose cluster profile has ${COMPOSE_CLUSTER.length} brokers`,
        'use --kafka-brokers 3',
      );
    }
    const profile = [
      ...(observability ? ['--profile', 'observability'] : []),
      ...(redisHa ? ['--profile', 'redis-ha'] : []),
    ];
    // Prometheus in a container is no loopback caller: it scrapes with an operator token of its own.
    if (observability) await ensureMetricsToken();
    const composeArgs = clustered
      ? ['--profile', 'cluster', ...profile, 'up', '-d', '--wait', 'mongodb', 'redis', ...COMPOSE_CLUSTER]
      : [...profile, 'up', '-d', '--wait'];
    console.log(`Docker engine found: docker compose ${composeArgs.join(' ')}`);
    compose(composeArgs);
    await kafkaReady();
    if (redisHa) await redisHaUp();
    // The payment service is the project's own Node process, run on the host like the server and processor.
    console.log(`${payments.name} 127.0.0.1:${payments.port}  ${await ensure(payments, undefined)}`);
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
        `${service.name.padEnd(width)} 127.0.0.1:${service.port}  ${outcome.value}  log: ${logFile(service.name)}`,
      );
    } else {
      failures.push(outcome.reason);
    }
  });
  if (failures.length === 0) {
    await kafkaReady();
    if (redisHa) await redisHaUp();
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
    const profile = observability ? ['--profile', 'observability'] : [];
    if (redisHa) compose(['--profile', 'redis-ha', 'rm', '--stop', '--force', ...COMPOSE_REDIS_HA]);
    else
      compose(
        clustered ? ['--profile', 'cluster', 'rm', '--stop', '--force', ...COMPOSE_CLUSTER] : [...profile, 'down'],
      );
    return;
  }
  const said = (service: NativeService, stopped: boolean) =>
    console.log(`${service.name.padEnd(width)} ${stopped ? 'stopped' : 'not started by this command: left alone'}`);
  if (redisHa) {
    // That set only, the Sentinels first: none of them fails over a primary that is merely being stopped.
    for (const service of [...redisHaServices].reverse()) said(service, await stopOwned(service.name));
    return;
  }
  if (clustered) {
    // The cluster's nodes only (the other servers may serve the single broker's users), all at once:
    // one by one, the last would wait in vain for a quorum to hear its controlled shutdown.
    const stopped = await Promise.all(kafkaServices.map((service) => stopOwned(service.name)));
    kafkaServices.forEach((service, index) => said(service, stopped[index]!));
    return;
  }
  for (const service of [...services].reverse()) said(service, await stopOwned(service.name));
}

async function status(): Promise<void> {
  let allReady = true;
  const ready = new Set<string>();
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
    else ready.add(service.name);
    const owner = pid === undefined ? (listening ? 'external' : '-') : `pid ${pid}`;
    console.log(
      `${service.name.padEnd(width)} 127.0.0.1:${service.port}  ${state}  ${owner}  log: ${logFile(service.name)}`,
    );
  }
  if (clustered) await clusterStatus(ready);
  if (redisHa) for (const line of await redisHaStatus()) console.log(line);
  if (!allReady) process.exitCode = 1;
}

/** Each node's partitions as leader, and the partitions short of replicas in sync, from the nodes that answer. */
async function clusterStatus(ready: ReadonlySet<string>): Promise<void> {
  const nodes = clusterNodes(kafkaBrokers);
  const report = await readPartitions(
    kafkaBrokers,
    nodes.filter((node) => ready.has(node.name)),
  ).catch((error: unknown) => {
    console.log(`kafka cluster: metadata unreadable (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  });
  if (report === undefined) return;
  for (const node of nodes) {
    const leads = report.leads.get(node.id) ?? [];
    console.log(`${node.name} leads ${report.leaderCounts.get(node.id) ?? 0} partitions${leads.length ? ':' : ''}`);
    for (const line of leads) console.log(`  ${line}`);
  }
  console.log(`under-replicated partitions: ${report.underReplicated.length === 0 ? 'none' : ''}`);
  for (const line of report.underReplicated) console.log(`  ${line}`);
  if (report.offline.length > 0) console.log(`offline partitions (no leader): ${report.offline.join(', ')}`);
}

const commands: Record<string, () => Promise<void>> = { up, down, status };
const name = args.positionals[0] ?? 'up';
const command = commands[name];
if (command === undefined) {
  console.error(`unknown command "${name}": ${usage}`);
  process.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(error instanceof ServiceError ? error.describe() : error);
  process.exitCode = 1;
}
