/**
 * /metrics on a port of its own (METRICS_PORT), so that the port clients reach
 * (a Kubernetes Service, an Ingress) need not carry it: Prometheus scrapes the
 * pod on this one. It answers `GET /metrics` and nothing else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsListener {
  /** `http://localhost:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsListener(
  options: { port: number; host: string },
  metrics: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      return metrics(req, res);
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'only GET /metrics here' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
