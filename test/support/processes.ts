/**
 * Starting the system's processes (a server, a processor, a baseline) for
 * tests and benchmarks, waiting until they answer, stopping them; and
 * reading their CPU time and memory from /proc, and who listens on a port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The lines a launched process printed last, as many as `output` keeps. */
const KEPT_LINES = 200;

export interface Running {
  child: ChildProcess;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Where launched processes write their logs, when `PROCESS_LOG_DIR` asks for them (one file per process). */
let launched = 0;
function logOutput(entry: string): number | 'ignore' {
  const dir = process.env.PROCESS_LOG_DIR;
  if (!dir) return 'ignore';
  mkdirSync(dir, { recursive: true });
  const name = `${path.basename(path.dirname(path.dirname(entry)))}-${process.pid}-${++launched}.log`;
  return openSync(path.resolve(dir, name), 'a');
}

/**
 * Runs an entry with node directly (no npx wrapper), so `pid` is the process measured and the one a
 * signal reaches: a TypeScript one through tsx, a built one (`server/dist/main.js`, see
 * infra/build-services.ts) as it is. `nodeArgs` go to node itself, e.g. `--cpu-prof`. Its log lines
 * are dropped, or appended to a file of its own under `PROCESS_LOG_DIR` when that is set (at
 * `PROCESS_LOG_LEVEL`, `warn` by default); with `output`, what it prints (stdout and stderr) is kept
 * there instead, its last lines, for a failing test's message.
 */
export function launch(
  entry: string,
  env: Record<string, string>,
  port?: number,
  nodeArgs: string[] = [],
  output?: string[],
  /** The checkout the entry is in (a benchmark's other commit, see bench/lib/checkout.ts); this one by default. */
  root = repoRoot,
): Running {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry], {
    cwd: root,
    // Development mode unless the caller's environment or `env` names another (an unset NODE_ENV is production).
    env: { NODE_ENV: 'development', ...process.env, LOG_LEVEL: process.env.PROCESS_LOG_LEVEL ?? 'warn', ...env },
    stdio: output ? ['ignore', 'pipe', 'pipe'] : ['ignore', logOutput(entry), 'inherit'],
  });
  if (output) keepOutput(child, entry, output);
  return {
    child,
    pid: child.pid!,
    url: `http://127.0.0.1:${port ?? 0}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

function keepOutput(child: ChildProcess, entry: string, output: string[]): void {
  output.push(`[${entry} starting]`);
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    if (output.length > KEPT_LINES) output.splice(0, output.length - KEPT_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => output.push(`[${entry} exited: ${signal ?? code}]`));
}

/**
 * Waits until `url` answers 200 (a server's `/ready`); fails sooner when `running` exits first,
 * with what it printed if that was kept.
 */
export async function waitReady(url: string, timeoutMs = 60_000, running?: Running, output?: string[]): Promise<void> {
  const exited = () => running !== undefined && (running.child.exitCode !== null || running.child.signalCode !== null);
  await waitFor(
    `${url} to answer`,
    async () => {
      if (exited()) return true;
      const response = await fetch(url).catch(() => undefined);
      return response?.ok === true;
    },
    timeoutMs,
    200,
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}${printed(output)}`);
  });
  if (exited()) throw new Error(`the process behind ${url} exited before it was ready${printed(output)}`);
}

const printed = (output: string[] | undefined) => (output ? `:\n${output.slice(-40).join('\n')}` : '');

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory of a process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return Number(match?.[1] ?? 0) * 1024;
}

/** A port to listen on, below Linux's ephemeral range (32768 and up), where thousands of client sockets live. */
export function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}

/** The pid of the process listening on a loopback port (the stores' servers), from `ss`; undefined if none. */
export function listenerPid(port: number): number | undefined {
  const result = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const match = /pid=(\d+)/.exec(result.stdout ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The stores' server processes on this machine, by name, for CPU accounting. */
export function storePids(): Record<string, number> {
  const ports = { mongo: 27017, kafka: 9092, redis: 6379 };
  return Object.fromEntries(
    Object.entries(ports).flatMap(([name, port]) => {
      const pid = listenerPid(port);
      return pid === undefined ? [] : [[name, pid]];
    }),
  );
}
