/**
 * The processor's own small HTTP listener: `GET /health` (the process
 * answers), `GET /ready` (the processor runs and its stores answer: 503 with
 * what is not ready otherwise) and `GET /metrics` (its registry in the
 * Prometheus text format, to loopback callers or an operator token; see
 * metricsAccess). It outlives a processor that failed to start, so it asks
 * for the current one each time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { serveMetrics, type Logger, type TrustedProxies } from '@orders/core';
import type { Readiness } from '../app.ts';

export interface ProcessorHttpOptions {
  readonly port: number;
  readonly host: string;
  readonly readiness: () => Promise<Readiness>;
  readonly registry: Registry;
  /** Checks operator tokens; undefined: metrics for loopback callers only. */
  readonly key: Uint8Array | undefined;
  /** The proxies whose X-Forwarded-For says who the caller is; none by default. */
  readonly trustedProxies?: TrustedProxies;
  readonly logger: Logger;
}

export interface ProcessorHttp {
  /** `http://localhost:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startProcessorHttp(options: ProcessorHttpOptions): Promise<ProcessorHttp> {
  const server = createServer((req, res) => {
    answer(options, req, res).catch((error: unknown) => {
      options.logger.warn('http request failed', { path: req.url, error });
      if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  options.logger.info('processor http listening', { health: `${url}/health`, metrics: `${url}/metrics` });
  return {
    url,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function answer(options: ProcessorHttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'only GET is answered here' });
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (path === '/ready') {
    const readiness = await options.readiness();
    return sendJson(res, readiness.ready ? 200 : 503, {
      status: readiness.ready ? 'ready' : 'unavailable',
      processor: readiness.status,
      problems: readiness.problems,
    });
  }
  if (path === '/metrics') return serveMetrics(req, res, options.registry, options.key, options.trustedProxies);
  sendJson(res, 404, { error: 'not found: the processor answers /health, /ready and /metrics' });
}
