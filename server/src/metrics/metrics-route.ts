/**
 * `GET /metrics`: the server's registry in the Prometheus text format, to a
 * caller on this machine or one with an operator token (see metricsAccess);
 * anyone else gets 401 or 403 with what to do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { serveMetrics, type TrustedProxies } from '@orders/core';

export function metricsRoute(
  registry: Registry,
  key: Uint8Array | undefined,
  trusted: TrustedProxies,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) =>
    void serveMetrics(req, res, registry, key, trusted).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`could not collect the metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    });
}
