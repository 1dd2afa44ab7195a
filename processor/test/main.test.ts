/** The processor as a process: refuses a bad configuration, and stops cleanly on SIGTERM. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { PROCESSOR_GROUP, allTopics, topicsFor } from '@orders/core';
import { waitUntil } from './harness.ts';

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
    const { output, exited } = run({ MONGODB_URI: 'postgres://nope', PAYMENT_FAILURE_RATE: '2' });
    expect(await exited).toBe(1);
    expect(output.stderr).toContain('invalid configuration');
    expect(output.stderr).toMatch(/MONGODB_URI: must be a URL starting with mongodb:\/\//);
    expect(output.stderr).toMatch(/PAYMENT_FAILURE_RATE: /);
  });

  it('starts, and on SIGTERM stops and exits 0', async () => {
    const id = randomBytes(4).toString('hex');
    const uri = `mongodb://127.0.0.1:27017/proc_test_${id}`;
    const prefix = `t${id}.`;
    const { child, output, exited } = run({ MONGODB_URI: uri, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'info' });
    try {
      await waitUntil('the processor to run', () => output.stdout.includes('"msg":"processor running"'), 30_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output.stdout).toContain('"msg":"processor stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
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
    }
  });
});
