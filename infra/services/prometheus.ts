/**
 * Debian's Prometheus on 127.0.0.1:9090, scraping the server's and the
 * processor's `/metrics` with infra/observability/prometheus.yml, its data in
 * .data/prometheus: `npm run services -- up --observability`. Installed with
 * apt-get when missing; the package's own daemon is never used (nor left
 * running): this command starts the binary itself, so that `down` stops what
 * `up` started. `startPrometheus` runs another one on a port and configuration
 * of a test's choosing.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { signToken, signingKey } from '@orders/core';
import { dataDir, infraDir, runDir } from './paths.ts';
import { installDebianPackage, startDetached } from './processes.ts';
import type { NativeService } from './service.ts';

export const PROMETHEUS_PORT = 9090;
/** The scrape configuration for the server and the processor on this machine (their default ports). */
export const NATIVE_CONFIG = path.join(infraDir, 'observability', 'prometheus.yml');

/** Installs Debian's prometheus package when the binary is missing (as root, like the other services). */
export function installPrometheus(): void {
  if (!installDebianPackage('prometheus', 'prometheus', 'prometheus', 'Docker (--profile observability)')) return;
  // The package's init script may have started its daemon on :9090 (where policy-rc.d allows it):
  // stopped and disabled, so that the port is ours and the configuration the project's.
  if (existsSync('/etc/init.d/prometheus')) {
    spawnSync('/etc/init.d/prometheus', ['stop'], { stdio: 'ignore' });
    spawnSync('update-rc.d', ['prometheus', 'disable'], { stdio: 'ignore' });
  }
}

export interface PrometheusOptions {
  /** The pid and log files' name under .data/run. */
  readonly name: string;
  readonly port: number;
  readonly configFile: string;
  /** Its time-series database. */
  readonly storage: string;
}

/** Starts the prometheus binary in the background on 127.0.0.1 and returns its pid. */
export function startPrometheus(options: PrometheusOptions): number {
  mkdirSync(options.storage, { recursive: true });
  return startDetached({
    name: options.name,
    command: 'prometheus',
    args: [
      `--config.file=${options.configFile}`,
      `--storage.tsdb.path=${options.storage}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--storage.tsdb.retention.time=7d',
    ],
    cwd: dataDir,
  });
}

/** Resolves once Prometheus on `port` says it is ready to serve queries. */
export async function probePrometheus(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2000) });
  if (response.status !== 200) throw new Error(`/-/ready answered ${response.status}`);
}

export interface ScrapeTarget {
  readonly job: string;
  /** host:port */
  readonly target: string;
}

/** A scrape configuration of the given targets (a test's processes on ports of their own). */
export function writeScrapeConfig(file: string, targets: readonly ScrapeTarget[], intervalSeconds: number): void {
  const jobs = targets.map(
    ({ job, target }) =>
      `  - job_name: ${job}\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `global:\n  scrape_interval: ${intervalSeconds}s\n  evaluation_interval: ${intervalSeconds}s\nscrape_configs:\n${jobs.join('')}`,
  );
}

/** The operator token Docker's Prometheus sends with its scrapes (mounted by docker-compose.yml). */
export const METRICS_TOKEN_FILE = path.join(dataDir, 'metrics-token');
const TOKEN_DAYS = 30;

/**
 * Makes the token Docker's Prometheus scrapes with when there is none, or when it is near its end
 * (a day left): signed with AUTH_SECRET, or the development secret the server uses without one.
 */
export async function ensureMetricsToken(): Promise<void> {
  const dayMs = 24 * 60 * 60 * 1000;
  if (existsSync(METRICS_TOKEN_FILE) && Date.now() - statSync(METRICS_TOKEN_FILE).mtimeMs < (TOKEN_DAYS - 1) * dayMs) {
    return;
  }
  const key = signingKey({ secret: process.env.AUTH_SECRET, production: process.env.NODE_ENV === 'production' });
  const token = await signToken(key, {
    role: 'operator',
    subject: 'prometheus',
    expiresInSeconds: TOKEN_DAYS * 86_400,
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(METRICS_TOKEN_FILE, `${token}\n`, { mode: 0o644 });
}

export const prometheus: NativeService = {
  name: 'prometheus',
  port: PROMETHEUS_PORT,
  startTimeoutMs: 30_000,
  async prepare() {
    installPrometheus();
  },
  start() {
    mkdirSync(runDir, { recursive: true });
    return startPrometheus({
      name: 'prometheus',
      port: PROMETHEUS_PORT,
      configFile: NATIVE_CONFIG,
      storage: path.join(dataDir, 'prometheus'),
    });
  },
  probe: () => probePrometheus(PROMETHEUS_PORT),
};
