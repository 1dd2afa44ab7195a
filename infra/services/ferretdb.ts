/**
 * FerretDB (MongoDB wire protocol) with its SQLite backend on 127.0.0.1:27017,
 * embedded in the small Go launcher under infra/ferretdb and built on first use.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { dataDir, infraDir } from './paths.ts';
import { ServiceError } from './errors.ts';
import { hasCommand, runStep, startDetached } from './processes.ts';
import type { NativeService } from './service.ts';

export const MONGO_PORT = 27017;

const sourceDir = path.join(infraDir, 'ferretdb');
const binary = path.join(sourceDir, 'bin', 'ferretdb-launcher');

function isStale(): boolean {
  if (!existsSync(binary)) return true;
  const built = statSync(binary).mtimeMs;
  return readdirSync(sourceDir)
    .filter((file) => file.endsWith('.go') || file === 'go.mod' || file === 'go.sum')
    .some((file) => statSync(path.join(sourceDir, file)).mtimeMs > built);
}

export const ferretdb: NativeService = {
  name: 'ferretdb',
  port: MONGO_PORT,
  startTimeoutMs: 30_000,

  async prepare() {
    if (!isStale()) return;
    if (!hasCommand('go', ['version'])) {
      throw new ServiceError(
        'ferretdb',
        'Go is needed to build the FerretDB launcher',
        'install Go 1.24 or newer, or use Docker',
      );
    }
    console.log('ferretdb: building the launcher (first run only, about a minute)…');
    runStep('ferretdb', 'go', ['build', '-o', binary, '.'], {
      cwd: sourceDir,
      hint: 'check that the Go module proxy is reachable (go env GOPROXY), then retry',
    });
  },

  start() {
    return startDetached({
      name: 'ferretdb',
      command: binary,
      args: ['-listen', `127.0.0.1:${MONGO_PORT}`, '-data', path.join(dataDir, 'ferretdb'), '-log-level', 'warn'],
    });
  },

  async probe() {
    const client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${MONGO_PORT}/`, {
      serverSelectionTimeoutMS: 1000,
      directConnection: true,
    });
    try {
      await client.connect();
      const probes = client.db('services').collection('probes');
      const { insertedId } = await probes.insertOne({ at: new Date() });
      await probes.deleteOne({ _id: insertedId });
    } finally {
      await client.close();
    }
  },
};
