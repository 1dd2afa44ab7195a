/**
 * The official Apache Kafka broker (3.9, KRaft combined mode) on 127.0.0.1:9092,
 * run on the JVM from the jars Maven resolves for infra/kafka/pom.xml.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '@orders/core';
import { dataDir, infraDir } from './paths.ts';
import { newKafkaClusterId } from './cluster-id.ts';
import { ServiceError } from './errors.ts';
import { hasCommand, runStep, startDetached } from './processes.ts';
import type { NativeService } from './service.ts';

export const KAFKA_PORT = 9092;

const kafkaDir = path.join(infraDir, 'kafka');
const libDir = path.join(kafkaDir, 'target', 'lib');
const stateDir = path.join(dataDir, 'kafka');
const logDirs = path.join(stateDir, 'logs');
const configFile = path.join(stateDir, 'server.properties');
const log4jConfig = `file:${path.join(kafkaDir, 'log4j.properties')}`;
const classpath = `${libDir}/*`;

function hasJars(): boolean {
  return existsSync(libDir) && readdirSync(libDir).some((file) => file.startsWith('kafka_2.13-'));
}

/** The JVM's heap for the single broker; the cluster's nodes run on a smaller one (see kafka-cluster.ts). */
const SINGLE_BROKER_HEAP = ['-Xms256m', '-Xmx768m'];

/** The arguments of a `java` run of the broker's jars: `jvm` first (heap, collector), then the class and its arguments. */
export function java(args: string[], jvm: string[] = SINGLE_BROKER_HEAP): string[] {
  return [...jvm, '-Djava.awt.headless=true', `-Dlog4j.configuration=${log4jConfig}`, '-cp', classpath, ...args];
}

/**
 * Checks for Java and resolves the broker's jars with Maven once (the single broker and the cluster's
 * nodes share them); throws what to install when something is missing. `service` names the caller.
 */
export function ensureJars(service: string): void {
  if (!hasCommand('java', ['-version'])) {
    throw new ServiceError(
      service,
      'Java is needed to run Kafka',
      'install Java 17 or newer (Debian: openjdk-17-jre-headless), or use Docker',
    );
  }
  if (!hasJars()) {
    if (!hasCommand('mvn', ['-v'])) {
      throw new ServiceError(
        service,
        'Maven is needed to fetch the Kafka jars',
        'install Maven 3 (Debian: maven), or use Docker',
      );
    }
    console.log('kafka: resolving the broker jars with Maven (first run only)…');
    runStep(
      service,
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libDir}`],
      {
        cwd: kafkaDir,
        hint: 'check that Maven Central is reachable (mvn -v, ~/.m2/settings.xml), then retry',
      },
    );
  }
}

export function brokerClient(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [`127.0.0.1:${KAFKA_PORT}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
}

export { ensureTopics };

export const kafka: NativeService = {
  name: 'kafka',
  port: KAFKA_PORT,
  startTimeoutMs: 90_000,

  async prepare() {
    ensureJars('kafka');
    if (!existsSync(path.join(logDirs, 'meta.properties'))) {
      mkdirSync(logDirs, { recursive: true });
      const template = readFileSync(path.join(kafkaDir, 'server.properties'), 'utf8');
      writeFileSync(configFile, `${template}\nlog.dirs=${logDirs}\n`);
      const clusterId = newKafkaClusterId();
      runStep('kafka', 'java', java(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile]), {
        cwd: stateDir,
        hint: `remove ${stateDir} and retry`,
      });
    }
  },

  start() {
    return startDetached({ name: 'kafka', command: 'java', args: java(['kafka.Kafka', configFile]), cwd: stateDir });
  },

  probe: () => produceAndFetch(brokerClient('services-probe'), 'services.probe'),

  async afterReady() {
    await ensureTopics(brokerClient('services-topics'));
  },
};

/**
 * Resolves once a message produced to `topic` (created when missing, with one partition) is fetched
 * back: the brokers behind `client` do real work.
 */
export async function produceAndFetch(client: Kafka, topic: string): Promise<void> {
  const admin = client.admin();
  const producer = client.producer();
  const consumer = client.consumer({ groupId: `services-probe-${randomUUID()}` });
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    }
    await producer.connect();
    const marker = randomUUID();
    await producer.send({ topic, messages: [{ value: marker }] });
    const [partition] = await admin.fetchTopicOffsets(topic);
    const offset = BigInt(partition?.high ?? '0') - 1n;
    await consumer.connect();
    await consumer.subscribe({ topic });
    const received = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === marker) resolve();
        },
      });
    });
    consumer.seek({ topic, partition: 0, offset: offset.toString() });
    await withTimeout(received, 15_000, 'the produced message was not fetched');
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
