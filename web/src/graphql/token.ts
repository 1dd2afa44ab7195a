/**
 * The dashboard's bearer token. In order: one passed in the address
 * (`?token=…`, then taken out of it), the one kept for this browser tab, or,
 * on a developer's machine, an operator token the server hands to loopback
 * callers at /auth/dev-token. Without any, the dashboard asks for one.
 */

export const TOKEN_KEY = 'orders.token';

/** The expiry of a JWT, in milliseconds; undefined when the token cannot be read. */
export function expiresAt(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const usable = (token: string | null | undefined, now: number): token is string => {
  if (!token) return false;
  const expiry = expiresAt(token);
  return expiry !== undefined && expiry > now + 60_000;
};

export interface TokenSources {
  location: Pick<Location, 'search' | 'pathname' | 'hash'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  fetch: (url: string) => Promise<Pick<Response, 'ok' | 'json'>>;
  /** Rewrites the address without the token, so it is not left in the history or shared by copy. */
  replaceUrl: (url: string) => void;
  now?: () => number;
}

export async function obtainToken(sources: TokenSources): Promise<string | null> {
  const now = (sources.now ?? Date.now)();
  const params = new URLSearchParams(sources.location.search);
  const passed = params.get('token');
  if (passed !== null) {
    params.delete('token');
    const search = params.toString();
    sources.replaceUrl(`${sources.location.pathname}${search ? `?${search}` : ''}${sources.location.hash}`);
    if (usable(passed, now)) {
      sources.storage.setItem(TOKEN_KEY, passed);
      return passed;
    }
  }
  const kept = sources.storage.getItem(TOKEN_KEY);
  if (usable(kept, now)) return kept;
  sources.storage.removeItem(TOKEN_KEY);
  try {
    const response = await sources.fetch('/auth/dev-token');
    if (!response.ok) return null;
    const { token } = (await response.json()) as { token?: unknown };
    return typeof token === 'string' && usable(token, now) ? token : null;
  } catch {
    return null;
  }
}

/** Keeps a token the user pasted, for this tab. */
export function keepToken(storage: Pick<Storage, 'setItem'>, token: string): void {
  storage.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken(storage: Pick<Storage, 'removeItem'>): void {
  storage.removeItem(TOKEN_KEY);
}
