/**
 * What the HTTP server checks before a request reaches GraphQL: the size of
 * its body, and the Origin a browser calls it from (CORS, WebSocket).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/**
 * Refuses a body larger than `maxBytes` (413) before anything reads it, and a
 * body of unknown length (411): every GraphQL client sends Content-Length.
 * Returns true when it answered the request.
 */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
  const length = req.headers['content-length'];
  if (length === undefined) {
    if (req.headers['transfer-encoding'] === undefined) return false; // no body at all
    json(res, 411, errorBody('send the body with a Content-Length', 'LENGTH_REQUIRED'));
    req.resume();
    return true;
  }
  const bytes = Number(length);
  if (!Number.isInteger(bytes) || bytes < 0) {
    json(res, 400, errorBody('Content-Length is not a number of bytes', 'BAD_REQUEST'));
    return true;
  }
  if (bytes > maxBytes) {
    json(res, 413, errorBody(`the body is ${bytes} bytes; at most ${maxBytes} are accepted`, 'PAYLOAD_TOO_LARGE'));
    // Close rather than read what the client still sends.
    res.once('finish', () => req.destroy());
    return true;
  }
  return false;
}

/**
 * The origins a browser may call the API from, over HTTP (CORS) and WebSocket: the listed ones when
 * ALLOWED_ORIGINS is set; otherwise the server's own origin (the Host it was reached by) and, outside
 * production, the Vite dev server's.
 */
export function allowedOrigin(options: { allowed?: string[]; production: boolean }) {
  const listed = options.allowed ? new Set(options.allowed) : undefined;
  const devServer = /^http:\/\/(localhost|127\.0\.0\.1):5173$/;
  return (origin: string, host: string | undefined): boolean => {
    if (listed) return listed.has(origin);
    if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
    return !options.production && devServer.test(origin);
  };
}

/** `allowedOrigin` for a WebSocket's upgrade request. */
export function originPolicy(options: { allowed?: string[]; production: boolean }) {
  const allowed = allowedOrigin(options);
  return (origin: string, req: IncomingMessage): boolean => allowed(origin, req.headers.host);
}

export { json as sendJson };
