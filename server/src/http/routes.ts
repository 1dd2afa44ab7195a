/**
 * The HTTP routes beside GraphQL: `GET /health` (the process answers),
 * `GET /ready` (MongoDB, Kafka and Redis answer) and `GET /auth/dev-token`
 * (the dashboard's operator token on a developer's machine: never in
 * production, never to another machine).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signToken } from '@orders/core';
import { isLoopback, sendJson } from './guards.ts';

/** How long the operator token given to the dashboard on this machine lasts. */
export const DEV_TOKEN_SECONDS = 12 * 60 * 60;

type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface RouteOptions {
  /** Resolves when every store answers; rejects with the reason otherwise. */
  ready: () => Promise<void>;
  /** The key tokens are signed with. */
  key: Uint8Array;
  /** Whether `/auth/dev-token` serves loopback callers. */
  devTokens: boolean;
  /** `GET /metrics`, guarded (see metrics/metrics-route.ts). */
  metrics?: Route;
}

/** The routes by path; a request to any other path is not theirs. */
export function httpRoutes(options: RouteOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const routes: Record<string, Route> = {
    '/health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    '/ready': (_req, res) =>
      void options.ready().then(
        () => sendJson(res, 200, { status: 'ready' }),
        (error: unknown) =>
          sendJson(res, 503, { status: 'unavailable', reason: error instanceof Error ? error.message : String(error) }),
      ),
    '/auth/dev-token': (req, res) => {
      if (!options.devTokens || !isLoopback(req)) return void sendJson(res, 404, { error: 'not found' });
      void signToken(options.key, { role: 'operator', subject: 'dashboard', expiresInSeconds: DEV_TOKEN_SECONDS }).then(
        (token) => sendJson(res, 200, { token, expiresInSeconds: DEV_TOKEN_SECONDS }),
        () => sendJson(res, 500, { error: 'could not make a token' }),
      );
    },
    ...(options.metrics ? { '/metrics': options.metrics } : {}),
  };
  return (req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (route === undefined) return false;
    route(req, res);
    return true;
  };
}
