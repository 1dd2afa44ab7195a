/**
 * The production build (infra/build-services.ts): the server and the processor
 * bundled into plain JavaScript run on node alone, with no TypeScript loader,
 * against the real servers.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderIndex, allTopics, topicsFor } from '@orders/core';
import { buildServices } from '../build-services.ts';
import { repoRoot } from '../services/paths.ts';

let server = '';
let processor = '';
let payments = '';
beforeAll(async () => {
  [server, processor, payments] = (await buildServices()) as [string, string, string];
});

/** Runs a built entry on plain node until it exits, or until `until` says so (then SIGTERM). */
function run(entry: string, env: Record<string, string>, until?: () => Promise<boolean>) {
  const child = spawn(process.execPath, [entry], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const watching = (async () => {
    if (until === undefined) return;
    const deadline = Date.now() + 30_000;
    while (!(await until())) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`not ready after 30 s:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGTERM');
  })();
  return { exited, watching, stderr: () => stderr };
}

describe('the built services', () => {
  it('are one file each beside their source, importing the libraries from node_modules', () => {
    expect(path.relative(repoRoot, server)).toBe(path.join('server', 'dist', 'main.js'));
    expect(path.relative(repoRoot, processor)).toBe(path.join('processor', 'dist', 'main.js'));
    expect(path.relative(repoRoot, payments)).toBe(path.join('infra', 'payments', 'dist', 'main.js'));
  });

  it('include the payment service, which answers on plain node and stops on SIGTERM with exit 0', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const ledger = path.join(repoRoot, '.data', `built-payments-${randomBytes(4).toString('hex')}.jsonl`);
    const started = run(payments, { PAYMENTS_PORT: port, PAYMENTS_LEDGER_FILE: ledger }, async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      return answer?.ok === true;
    });
    await started.watching;
    expect(await started.exited).toBe(0);
    rmSync(ledger, { force: true });
  });

  it('refuse a bad configuration with a message naming it, and exit 1', async () => {
    const badServer = run(server, { PORT: 'eighty' });
    expect(await badServer.exited).toBe(1);
    expect(badServer.stderr()).toMatch(/PORT: /);
    const badProcessor = run(processor, { PROCESSOR_CONCURRENCY: '0' });
    expect(await badProcessor.exited).toBe(1);
    expect(badProcessor.stderr()).toMatch(/PROCESSOR_CONCURRENCY: /);
  });

  it('start on the real servers: the server becomes ready, and both stop on SIGTERM with exit 0', async () => {
    const id = `built_${randomBytes(4).toString('hex')}`;
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const env = { MONGODB_URI: `mongodb://127.0.0.1:27017/${id}`, KAFKA_TOPIC_PREFIX: `${id}.` };
    try {
      const ready = async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok === true;
      const api = run(server, { ...env, PORT: port, HOST: '127.0.0.1' }, ready);
      await api.watching;
      expect(await api.exited).toBe(0);
      // The processor is up once it has joined its group and started; it stops cleanly from there.
      const started = Date.now();
      const decider = run(processor, env, async () => Date.now() - started > 5000);
      await decider.watching;
      expect(await decider.exited).toBe(0);
    } finally {
      const connection = await mongoose.createConnection(env.MONGODB_URI).asPromise();
      await connection.dropDatabase();
      await connection.close();
      const redis = new Redis();
      await new OrderIndex(redis, { prefix: env.KAFKA_TOPIC_PREFIX }).drop();
      redis.disconnect();
      const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin
        .deleteTopics({ topics: allTopics(topicsFor(env.KAFKA_TOPIC_PREFIX)).map((topic) => topic.name) })
        .catch(() => undefined);
      await admin.disconnect();
    }
  });
});
