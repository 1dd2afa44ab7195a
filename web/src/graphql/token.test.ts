import { describe, expect, it } from 'vitest';
import { TOKEN_KEY, expiresAt, obtainToken, type TokenSources } from './token.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');

/** A JWT-shaped token (unsigned: the dashboard only reads its expiry) expiring at `exp` ms. */
function token(exp: number): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '');
  return `${part({ alg: 'HS256' })}.${part({ role: 'operator', exp: Math.floor(exp / 1000) })}.signature`;
}

function sources(options: { search?: string; kept?: string; dev?: string | null } = {}) {
  const stored = new Map<string, string>(options.kept ? [[TOKEN_KEY, options.kept]] : []);
  const fetched: string[] = [];
  const urls: string[] = [];
  const value: TokenSources = {
    location: { search: options.search ?? '', pathname: '/', hash: '' },
    storage: {
      getItem: (key) => stored.get(key) ?? null,
      setItem: (key, item) => void stored.set(key, item),
      removeItem: (key) => void stored.delete(key),
    },
    fetch: async (url) => {
      fetched.push(url);
      return options.dev === null || options.dev === undefined
        ? { ok: false, json: async () => ({}) }
        : { ok: true, json: async () => ({ token: options.dev }) };
    },
    replaceUrl: (url) => void urls.push(url),
    now: () => NOW,
  };
  return { value, stored, fetched, urls };
}

describe('obtainToken', () => {
  it('takes a token from the address, keeps it for the tab and removes it from the address', async () => {
    const passed = token(NOW + 3_600_000);
    const { value, stored, urls } = sources({ search: `?status=FAILED&token=${passed}` });
    expect(await obtainToken(value)).toBe(passed);
    expect(stored.get(TOKEN_KEY)).toBe(passed);
    expect(urls).toEqual(['/?status=FAILED']);
  });

  it('uses the kept token while it is valid, without asking the server', async () => {
    const kept = token(NOW + 3_600_000);
    const { value, fetched } = sources({ kept, dev: token(NOW + 7_200_000) });
    expect(await obtainToken(value)).toBe(kept);
    expect(fetched).toEqual([]);
  });

  it('drops an expired kept token and asks the server for a development token', async () => {
    const dev = token(NOW + 3_600_000);
    const { value, stored } = sources({ kept: token(NOW - 1000), dev });
    expect(await obtainToken(value)).toBe(dev);
    expect(stored.has(TOKEN_KEY)).toBe(false);
  });

  it('gives null when there is no token anywhere, so the dashboard asks for one', async () => {
    expect(await obtainToken(sources({ dev: null }).value)).toBeNull();
  });
});

describe('expiresAt', () => {
  it('reads the expiry of a token and says undefined for anything else', () => {
    expect(expiresAt(token(NOW))).toBe(NOW);
    expect(expiresAt('not a token')).toBeUndefined();
  });
});
