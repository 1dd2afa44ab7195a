/**
 * Debian's Prometheus, installed and started by the project's own code
 * (infra/services/prometheus.ts), scrapes a real server and processor, and a
 * PromQL query over its HTTP API returns their decision rate. The committed
 * scrape configurations are checked with the package's promtool.
 */
import { spawnSync } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, metricsAccess, signingKey } from '@orders/core';
import { startProcessorHttp, type Processor, type ProcessorHttp } from '@orders/processor';
import { dataDir, infraDir } from '../../infra/services/paths.ts';
import { isAlive, stopOwned } from '../../infra/services/processes.ts';
import {
  METRICS_TOKEN_FILE,
  NATIVE_CONFIG,
  ensureMetricsToken,
  installPrometheus,
  probePrometheus,
  startPrometheus,
  writeScrapeConfig,
} from '../../infra/services/prometheus.ts';
import { freePort, startTestProcessor, startTestServer, waitFor, type TestServer } from '../support/index.ts';

const CREATE = `mutation PrometheusTest_CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id } }`;
const ORDERS = 10;

let server: TestServer;
let processor: Processor;
let http: ProcessorHttp;
const port = freePort();
const name = `prometheus-test-${port}`;
const workDir = path.join(dataDir, name);
let pid: number | undefined;

/** A PromQL query over Prometheus's HTTP API: the values of its vector result. */
async function query(promql: string): Promise<number[]> {
  const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as {
    status: string;
    data: { result: { value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`${promql}: ${JSON.stringify(body)}`);
  return body.data.result.map((sample) => Number(sample.value[1]));
}

beforeAll(async () => {
  installPrometheus();
  server = await startTestServer('prometheus', {});
  processor = await startTestProcessor(server);
  http = await startProcessorHttp({
    port: 0,
    host: '127.0.0.1',
    readiness: () => processor.readiness(),
    registry: processor.metrics.registry,
    key: signingKey({ production: false }),
    logger: createLogger('processor-http-test', 'warn'),
  });
  const hostPort = (url: string) => `127.0.0.1:${new URL(url).port}`;
  const configFile = path.join(workDir, 'prometheus.yml');
  writeScrapeConfig(
    configFile,
    [
      { job: 'orders-server', target: hostPort(server.app.url) },
      { job: 'orders-processor', target: hostPort(http.url) },
    ],
    1,
  );
  pid = startPrometheus({ name, port, configFile, storage: path.join(workDir, 'data') });
  await waitFor('Prometheus to be ready', () => probePrometheus(port).then(() => true), 30_000, 250);
});

afterAll(async () => {
  await stopOwned(name);
  rmSync(workDir, { recursive: true, force: true });
  await http?.close();
  await processor?.stop();
  await server?.close();
});

describe("Debian's Prometheus", () => {
  it('scrapes the server and the processor, and PromQL returns their decision rate', async () => {
    await waitFor(
      'both targets to be scraped and up',
      async () => {
        const up = await query('up');
        return up.length === 2 && up.every((value) => value === 1);
      },
      30_000,
      500,
    );
    // Scraped before the orders: a rate needs the counter's rise between two samples.
    await waitFor(
      'a scrape of no decisions yet',
      async () => (await query('sum(order_decisions_total)'))[0] === 0,
      30_000,
      250,
    );
    for (let i = 0; i < ORDERS; i++) {
      const input = { customerId: `cus_00${10 + i}`, sku: `SKU-000${1 + (i % 9)}`, quantity: 1 };
      expect((await server.graphql(CREATE, { input })).errors).toBeUndefined();
    }
    await waitFor(
      'Prometheus to hold every decision',
      async () => (await query('sum(order_decisions_total)'))[0] === ORDERS,
      30_000,
      500,
    );
    await waitFor(
      'the server job to show every order created',
      async () => (await query('sum(orders_created_total{job="orders-server"})'))[0] === ORDERS,
      30_000,
      250,
    );

    const rate = await waitFor(
      'a decision rate over the last minute',
      async () => {
        const [value] = await query('sum(rate(order_decisions_total[1m]))');
        return value !== undefined && value > 0 ? value : undefined;
      },
      30_000,
      500,
    );
    // 10 decisions within the minute: a per-second rate above zero and at most the 10 in one second.
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThanOrEqual(ORDERS);
    expect(await query('sum by (job) (process_resident_memory_bytes)')).toHaveLength(2);
    expect(pid !== undefined && isAlive(pid)).toBe(true);
  });

  it('answers every query of the provisioned Grafana dashboard, on the data source Grafana is given', async () => {
    const grafana = path.join(infraDir, 'observability', 'grafana');
    const dashboard = JSON.parse(readFileSync(path.join(grafana, 'dashboards', 'orders-pipeline.json'), 'utf8')) as {
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    const datasources = readFileSync(path.join(grafana, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const wanted of [
      'Decisions /s by status and reason',
      'Decision latency',
      'Consumer lag per partition',
      'Error rates',
      'Connections',
    ]) {
      expect(
        titles.some((title) => title.startsWith(wanted)),
        wanted,
      ).toBe(true);
    }
    for (const panel of dashboard.panels) {
      expect(datasources).toContain(`uid: ${panel.datasource.uid}`);
      // Each expression is valid PromQL over this Prometheus (query() throws on an error answer).
      for (const target of panel.targets) await query(target.expr);
    }
    const decided = await query('sum by (status, reason) (rate(order_decisions_total[1m]))');
    expect(decided.length).toBeGreaterThan(0);
    const p99 = await query('histogram_quantile(0.99, sum by (le) (rate(order_decision_seconds_bucket[1m])))');
    expect(p99[0]).toBeGreaterThan(0);
  });

  it("makes Docker's Prometheus an operator token the server accepts, when it has none", async () => {
    const made = !existsSync(METRICS_TOKEN_FILE);
    await ensureMetricsToken();
    try {
      const token = readFileSync(METRICS_TOKEN_FILE, 'utf8').trim();
      // As a container's scrape arrives: from another address, with the token.
      const fromContainer = { socket: { remoteAddress: '172.17.0.2' }, headers: { authorization: `Bearer ${token}` } };
      expect(
        await metricsAccess(fromContainer as unknown as IncomingMessage, signingKey({ production: false })),
      ).toEqual({
        allowed: true,
      });
    } finally {
      if (made) rmSync(METRICS_TOKEN_FILE, { force: true });
    }
  });

  it('takes the committed scrape configurations as valid, native and Docker', () => {
    const check = (file: string) => spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    const native = check(NATIVE_CONFIG);
    expect(native.status, native.stdout + native.stderr).toBe(0);
    // The Docker one reads its token where Compose mounts it; checked here with a token file of its own.
    mkdirSync(workDir, { recursive: true });
    const token = path.join(workDir, 'metrics-token');
    writeFileSync(token, 'a token\n');
    const dockerConfig = path.join(workDir, 'prometheus.docker.yml');
    writeFileSync(
      dockerConfig,
      readFileSync(path.join(infraDir, 'observability', 'prometheus.docker.yml'), 'utf8').replaceAll(
        '/etc/prometheus/metrics-token',
        token,
      ),
    );
    const docker = check(dockerConfig);
    expect(docker.status, docker.stdout + docker.stderr).toBe(0);
  });
});
