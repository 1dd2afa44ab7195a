/** The processor as a process: refuses a bad configuration, waits for a broker that is not up yet, and stops cleanly on SIGTERM. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { PROCESSOR_GROUP, allTopics, topicsFor } from '@orders/core';
import { waitFor } from '../../test/support/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'processor/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('the processor process', () => {
  it('exits 1 naming every bad setting when the configuration is invalid', async () => {
    const { output, exited } = run({ MONGODB_URI: 'postgres://nope', PAYMENTS_TIMEOUT_MS: '2s' });
    expect(await exited).toBe(1);
    expect(output.stderr).toContain('invalid configuration');
    expect(output.stderr).toMatch(/MONGODB_URI: must be a URL starting with mongodb:\/\//);
    expect(output.stderr).toMatch(/PAYMENTS_TIMEOUT_MS: /);
  });

  it('starts, and on SIGTERM stops and exits 0', async () => {
    const stores = testStores();
    const { child, output, exited } = run({ ...stores.env, LOG_LEVEL: 'info' });
    try {
      await waitFor('the processor to run', () => output.stdout.includes('"msg":"processor running"'), 30_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output.stdout).toContain('"msg":"processor stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await stores.clean();
    }
  });

  it('waits for a broker that is not up yet, and starts once it answers', async () => {
    const stores = testStores();
    // The broker is reached through a port that answers only once the test opens it.
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const { child, output, exited } = run({ ...stores.env, KAFKA_BROKERS: `127.0.0.1:${port}`, LOG_LEVEL: 'info' });
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((socket) => {
      const broker = net.connect(9092, '127.0.0.1');
      for (const end of [socket, broker]) {
        sockets.add(end);
        end.on('error', () => end.destroy());
      }
      socket.pipe(broker).pipe(socket);
    });
    try {
      await waitFor('a failed start', () => output.stderr.includes('could not start'), 60_000);
      expect(child.exitCode).toBeNull();
      expect(output.stdout).not.toContain('"msg":"processor running"');
      await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
      await waitFor('the processor to run', () => output.stdout.includes('"msg":"processor running"'), 60_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
      proxy.close();
      await stores.clean();
    }
  });
});

/** A database and topic prefix of the test's own, and the cleanup of what a processor made of them. */
function testStores() {
  const id = randomBytes(4).toString('hex');
  const uri = `mongodb://127.0.0.1:27017/proc_test_${id}`;
  const prefix = `t${id}.`;
  return {
    env: { MONGODB_URI: uri, KAFKA_TOPIC_PREFIX: prefix },
    async clean() {
      const admin = new Kafka({
        clientId: 'processor-test',
        brokers: ['127.0.0.1:9092'],
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      await admin.deleteGroups([`${prefix}${PROCESSOR_GROUP}`]).catch(() => undefined);
      await admin
        .deleteTopics({ topics: allTopics(topicsFor(prefix)).map((topic) => topic.name) })
        .catch(() => undefined);
      await admin.disconnect();
      const connection = await mongoose.createConnection(uri).asPromise();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}
