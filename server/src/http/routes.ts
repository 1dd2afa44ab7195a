/**
 * The HTTP routes beside GraphQL: `GET /health` (the process answers),
 * `GET /ready` (MongoDB, Kafka and Redis answer) and `GET /auth/dev-token`
 * (the dashboard's operator token on a developer's machine: never in
 * production, never to another machine, never to a page that reached this one
 * under another name) and `GET /metrics` unless it has a port of its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signToken, type TrustedProxies } from '@orders/core';
import { sendJson } from './guards.ts';
import { localCaller } from './local-caller.ts';

/** How long the operator token given to the dashboard on this machine lasts. */
export const DEV_TOKEN_SECONDS = 12 * 60 * 60;

type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface RouteOptions {
  /** Resolves when every store answers; rejects with the reason otherwise. */
  ready: () => Promise<void>;
  /** The key tokens are signed with. */
  key: Uint8Array;
  /** Whether `/auth/dev-token` serves callers on this machine. */
  devTokens: boolean;
  /** The proxies whose X-Forwarded-For says who the client is. */
  trustedProxies: TrustedProxies;
  /** `GET /metrics`, guarded (see metrics/metrics-route.ts); 'elsewhere': served on a port of its own, 404 here. */
  metrics: Route | 'elsewhere';
}

const notFound: Route = (_req, res) => sendJson(res, 404, { error: 'not found' });

/** An operator token for the dashboard, to a caller on this machine that reached it as localhost. */
function devTokenRoute(options: RouteOptions): Route {
  return (req, res) => {
    const caller = localCaller(req, options.trustedProxies);
    if (!options.devTokens || (!caller.local && caller.reason === 'remote-client')) return notFound(req, res);
    if (!caller.local) {
      const message = `development tokens are served at http://localhost only, not to Host "${req.headers.host ?? ''}"`;
      return sendJson(res, 403, { errors: [{ message, extensions: { code: 'FORBIDDEN' } }] });
    }
    void signToken(options.key, { role: 'operator', subject: 'dashboard', expiresInSeconds: DEV_TOKEN_SECONDS }).then(
      (token) => sendJson(res, 200, { token, expiresInSeconds: DEV_TOKEN_SECONDS }),
      () => sendJson(res, 500, { error: 'could not make a token' }),
    );
  };
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
    '/auth/dev-token': devTokenRoute(options),
    '/metrics': options.metrics === 'elsewhere' ? notFound : options.metrics,
  };
  return (req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (route === undefined) return false;
    route(req, res);
    return true;
  };
}
