/**
 * The production artifacts made as the Dockerfile makes them: infra/image/build-production.sh
 * run in a clean copy of the repository's files (no node_modules, no dist, nothing this checkout
 * built), and the services started from what it laid out, as the image starts them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/index.ts';
import { imageEntrypoint, imageEnvironment } from './image-environment.ts';

/** The repository's files as git knows them (tracked, and new ones not ignored), copied to `dir`. */
export function cleanCopy(dir: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of new Set(listed.stdout.split('\0').filter(Boolean))) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      cpSync(path.join(repoRoot, file), target, { verbatimSymlinks: true });
    } catch (error) {
      // A tracked file deleted in this checkout is not part of the tree being built.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export interface Artifacts {
  /** What the image's /app holds. */
  readonly app: string;
  remove(): void;
}

/** Runs build-production.sh on a clean copy; resolves with the folder it laid out. */
export async function buildArtifacts(): Promise<Artifacts> {
  const root = mkdtempSync(path.join(tmpdir(), 'orders-artifacts-'));
  const source = path.join(root, 'src');
  const app = path.join(root, 'app');
  cleanCopy(source);
  const output: string[] = [];
  const child = spawn('sh', ['infra/image/build-production.sh', app], {
    cwd: source,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`build-production.sh exited with ${code}:\n${output.join('').slice(-4000)}`);
  return { app, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface Service {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `server` or `processor` from the artifacts as the image's ENTRYPOINT does, with the
 * image's environment plus `env` (the servers' addresses and the secret): nothing else of this
 * process's environment but PATH, so that no development setting leaks in.
 */
export function startService(app: string, name: 'server' | 'processor', env: Record<string, string>): Service {
  const [command, ...args] = imageEntrypoint();
  const child = spawn(command === 'node' ? process.execPath : command!, [...args.map(inApp(app)), name], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...imageEnvironment(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const keep = (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => printed,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
      }
      return exited;
    },
  };
}

/** The image's absolute /app paths, mapped to the artifacts' folder. */
const inApp = (app: string) => (arg: string) => (arg.startsWith('/app/') ? path.join(app, arg.slice(5)) : arg);
