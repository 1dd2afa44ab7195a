/**
 * A cluster id from newKafkaClusterId formats real Kafka storage (the
 * broker's own StorageTool, from the jars the services command resolves),
 * where an id starting with "-" is taken for an option and fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKafkaClusterId, uuidToKafkaId } from '../services/cluster-id.ts';
import { ensureJars, java } from '../services/kafka.ts';
import { infraDir } from '../services/paths.ts';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** Formats a fresh storage folder with `clusterId`, as the services command does on a first start. */
function format(clusterId: string) {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kafka-format-'));
  folders.push(folder);
  const logDirs = path.join(folder, 'logs');
  const config = path.join(folder, 'server.properties');
  const template = readFileSync(path.join(infraDir, 'kafka', 'server.properties'), 'utf8');
  writeFileSync(config, `${template}\nlog.dirs=${logDirs}\n`);
  const args = java(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], ['-Xmx128m']);
  const run = spawnSync('java', args, { cwd: folder, encoding: 'utf8', timeout: 60_000 });
  const meta = run.status === 0 ? readFileSync(path.join(logDirs, 'meta.properties'), 'utf8') : '';
  return { status: run.status, output: `${run.stdout}${run.stderr}`, meta };
}

describe('formatting Kafka storage', () => {
  beforeAll(() => ensureJars('kafka'));

  it('formats storage with an id newKafkaClusterId made, and the storage keeps that id', () => {
    const clusterId = newKafkaClusterId();
    const formatted = format(clusterId);
    expect(formatted.status, formatted.output).toBe(0);
    expect(formatted.meta).toContain(`cluster.id=${clusterId}`);
  });

  it('fails on an id that starts with "-", which is why such ids are drawn again', () => {
    const dashFirst = uuidToKafkaId('f8a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a3b');
    expect(dashFirst.startsWith('-')).toBe(true);
    const formatted = format(dashFirst);
    expect(formatted.status).not.toBe(0);
    expect(formatted.meta).toBe('');
  });
});
