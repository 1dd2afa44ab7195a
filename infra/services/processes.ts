/**
 * Starting, finding and stopping the native server processes. A server we
 * start is detached with its output in a log file and its pid in a pid file,
 * so that `down` stops exactly what `up` started and nothing else.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import net from 'node:net';
import { dataDir, logFile, pidFile, runDir } from './paths.ts';
import { ServiceError } from './errors.ts';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a process this command started and that still runs, if any. */
export function ownedPid(name: string): number | undefined {
  const file = pidFile(name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  rmSync(file, { force: true });
  return undefined;
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a server in the background, its output appended to its log. */
export function startDetached(options: StartOptions): number {
  mkdirSync(runDir, { recursive: true });
  const log = logFile(options.name);
  const fd = openSync(log, 'a');
  writeFileSync(fd, `\n--- ${new Date().toISOString()} starting ${options.command} ${options.args.join(' ')}\n`);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) {
    throw new ServiceError(options.name, `could not start ${options.command}`, undefined, log);
  }
  child.unref();
  writeFileSync(pidFile(options.name), String(child.pid));
  return child.pid;
}

export async function stopOwned(name: string, graceMs = 15_000): Promise<boolean> {
  const pid = ownedPid(name);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile(name), { force: true });
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `check` until it resolves or the time is up; the last error is kept for the message. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T>,
  options: { timeoutMs: number; isDead?: () => boolean },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.isDead?.()) throw new Error(`${what}: the process exited`);
    try {
      return await check();
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`${what}: not ready after ${options.timeoutMs / 1000}s (${reason})`);
}

/** True when a command can be run, such as `java -version`. */
export function hasCommand(command: string, args: string[] = ['--version']): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** Runs a build step in the foreground, its output appended to a log; throws with the log on failure. */
export function runStep(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; hint: string; env?: NodeJS.ProcessEnv },
): void {
  mkdirSync(runDir, { recursive: true });
  const log = logFile(`${name}-build`);
  const fd = openSync(log, 'a');
  writeFileSync(fd, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? `exit code ${result.status}`;
    throw new ServiceError(name, `${command} ${args[0] ?? ''} failed (${why})`, options.hint, log);
  }
}

/**
 * Installs Debian's `pkg` with apt-get when `command` is missing, as root (like the other services);
 * otherwise says how to install it, or to use `instead`. True when it installed the package now.
 */
export function installDebianPackage(service: string, command: string, pkg: string, instead: string): boolean {
  if (hasCommand(command)) return false;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !hasCommand('apt-get', ['--version'])) {
    throw new ServiceError(
      service,
      `${command} is not installed`,
      `install it (Debian: sudo apt-get install ${pkg}), or use ${instead}`,
    );
  }
  const hint = 'check that Debian package sources are reachable, then retry';
  runStep(service, 'apt-get', ['update'], { cwd: dataDir, hint });
  runStep(service, 'apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    cwd: dataDir,
    hint,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return true;
}
