/**
 * Whether a request comes from this machine, for what only a developer's own
 * browser may have (the development token, a GraphiQL page that carries one).
 * Two checks: the client's address is loopback (behind a trusted proxy, the
 * address it forwarded for), and the Host header names this machine. The
 * second stops DNS rebinding: a page from evil.example whose name was
 * re-pointed at 127.0.0.1 reaches a loopback socket, but with its own Host.
 */
import type { IncomingMessage } from 'node:http';
import { clientAddress, isLoopbackAddress, type TrustedProxies } from '@orders/core';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/** Whether a Host header names this machine: localhost, 127.0.0.1 or [::1], with any port. */
export function isLocalHost(host: string | undefined): boolean {
  return host !== undefined && LOCAL_HOST.test(host);
}

export type LocalCheck = { local: true } | { local: false; reason: 'remote-client' | 'foreign-host' };

export function localCaller(req: IncomingMessage, trusted: TrustedProxies): LocalCheck {
  if (!isLoopbackAddress(clientAddress(req, trusted))) return { local: false, reason: 'remote-client' };
  if (!isLocalHost(req.headers.host)) return { local: false, reason: 'foreign-host' };
  return { local: true };
}
