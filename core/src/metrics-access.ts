/**
 * Who may read a process's `/metrics`: a caller on this machine (loopback), or
 * one that sends an operator token. Metrics say how busy the system is and how
 * it fails, so they are not for everyone who can reach the port. Shared by the
 * server and the processor, so that both answer the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { TokenError, bearerToken, verifyToken } from './auth/tokens.ts';
import { NO_TRUSTED_PROXIES, clientAddress, isLoopbackAddress, type TrustedProxies } from './client-address.ts';

export type MetricsAccess =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly status: 401 | 403; readonly code: string; readonly message: string };

const HOW =
  'ask from this machine, or send "Authorization: Bearer <operator token>" (npm run token -- --role operator)';

/**
 * Decides whether `req` may read the metrics. `key` checks the tokens; without one (the processor in
 * production with no AUTH_SECRET) only loopback callers may. Whether the caller is on loopback is
 * `clientAddress`'s answer: behind a trusted proxy, the address it forwarded for.
 */
export async function metricsAccess(
  req: IncomingMessage,
  key: Uint8Array | undefined,
  trusted: TrustedProxies = NO_TRUSTED_PROXIES,
): Promise<MetricsAccess> {
  if (isLoopbackAddress(clientAddress(req, trusted))) return { allowed: true };
  let token: string | undefined;
  try {
    token = bearerToken(req.headers.authorization);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    return { allowed: false, status: 401, code: 'UNAUTHENTICATED', message: `${error.message}: ${HOW}` };
  }
  if (token === undefined) {
    return { allowed: false, status: 401, code: 'UNAUTHENTICATED', message: `metrics are not public: ${HOW}` };
  }
  if (key === undefined) {
    return {
      allowed: false,
      status: 403,
      code: 'FORBIDDEN',
      message: 'this process checks no tokens (set AUTH_SECRET): metrics are served to loopback callers only',
    };
  }
  try {
    const viewer = await verifyToken(key, token);
    if (viewer.role === 'operator') return { allowed: true };
    return {
      allowed: false,
      status: 403,
      code: 'FORBIDDEN',
      message: 'metrics are for operators: send an operator token',
    };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    return { allowed: false, status: 401, code: 'UNAUTHENTICATED', message: `${error.message}: ${HOW}` };
  }
}

/**
 * Answers `GET /metrics`: the registry in the Prometheus text format to a caller `metricsAccess` lets
 * in, and the refusal (401 or 403, a JSON error with its code and what to do) to anyone else.
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  key: Uint8Array | undefined,
  trusted: TrustedProxies = NO_TRUSTED_PROXIES,
): Promise<void> {
  const access = await metricsAccess(req, key, trusted);
  if (!access.allowed) {
    res.writeHead(access.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: access.message, extensions: { code: access.code } }] }));
    return;
  }
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType }).end(body);
}
