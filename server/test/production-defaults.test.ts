/**
 * A server in production mode, built in-process on the real servers: what it
 * does not show (development tokens, GraphiQL, introspection), whom it
 * answers across origins, whom it believes about the client's address, and
 * where it serves /metrics. A development server beside it shows that its
 * development token goes to this machine under its own name only.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/index.ts';

const SECRET = 'a-production-secret-of-at-least-32-characters';
/** The test's "proxy": another loopback address, which the test connects from when it plays the proxy. */
const PROXY = '127.0.0.2';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request over a socket from `localAddress` (127.0.0.1 unless said), with any Host header. */
function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress ?? '127.0.0.1' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const loopbackUrl = (url: string) => url.replace('localhost', '127.0.0.1');

let production: TestServer;
let development: TestServer;

beforeAll(async () => {
  production = await startTestServer('production', {
    NODE_ENV: 'production',
    AUTH_SECRET: SECRET,
    ALLOWED_ORIGINS: 'https://shop.example',
    TRUST_PROXY: PROXY,
    METRICS_PORT: '0',
  });
  development = await startTestServer('development', {
    NODE_ENV: 'development',
    TRUST_PROXY: PROXY,
    INTROSPECTION: 'authenticated',
  });
});
afterAll(async () => {
  await production?.close();
  await development?.close();
});

describe('a production server', () => {
  it('has no development token route', async () => {
    const answer = await call(`${loopbackUrl(production.app.url)}/auth/dev-token`);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('token"');
  });

  it('serves no GraphiQL to a browser', async () => {
    const page = await call(`${loopbackUrl(production.app.url)}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.body).not.toMatch(/graphiql/i);
  });

  it('refuses introspection with GRAPHQL_VALIDATION_FAILED, without a token and with one', async () => {
    const anonymous = await production.graphql('{ __schema { queryType { name } } }', undefined, null);
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(anonymous.errors?.[0]?.message).toMatch(/introspection/i);
    expect(anonymous.data ?? null).toBeNull();
    const operator = await production.graphql('{ __schema { queryType { name } } }');
    expect(operator.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(operator.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('gives a preflight from an unknown origin no CORS headers at all', async () => {
    const answer = await call(`${loopbackUrl(production.app.url)}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    const post = await call(`${loopbackUrl(production.app.url)}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products { sku } }' }),
    });
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers an allowed origin with its own name, without credentials', async () => {
    const answer = await call(`${loopbackUrl(production.app.url)}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(answer.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('serves /metrics on METRICS_PORT and not on its main port', async () => {
    expect(production.app.metricsUrl).toBeDefined();
    const metrics = await call(`${loopbackUrl(production.app.metricsUrl!)}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('# TYPE');
    const main = await call(`${loopbackUrl(production.app.url)}/metrics`);
    expect(main.status).toBe(404);
    expect(main.body).not.toContain('# TYPE');
    expect((await call(`${loopbackUrl(production.app.metricsUrl!)}/graphql`)).status).toBe(404);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const metrics = `${loopbackUrl(production.app.metricsUrl!)}/metrics`;
    const forged = await call(metrics, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(forged.status).toBe(200); // the peer, 127.0.0.1, is the client: the header changed nothing
  });

  it('believes X-Forwarded-For from a trusted proxy: a remote client behind it needs a token', async () => {
    const metrics = `${loopbackUrl(production.app.metricsUrl!)}/metrics`;
    const remote = await call(metrics, { localAddress: PROXY, headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(remote.status).toBe(401);
    expect(JSON.parse(remote.body)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    const withToken = await call(metrics, {
      localAddress: PROXY,
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${await production.token('operator')}` },
    });
    expect(withToken.status).toBe(200);
    const local = await call(metrics, { localAddress: PROXY, headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(local.status).toBe(200);
  });

  it('still runs orders for a caller with a token', async () => {
    const products = await production.graphql<{ products: unknown[] }>('{ products { sku } }');
    expect(products.data?.products.length).toBe(24);
  });
});

describe('a development server', () => {
  it('with INTROSPECTION=authenticated refuses anonymous introspection with UNAUTHENTICATED, and answers a token', async () => {
    const query = '{ __schema { queryType { name } } }';
    const anonymous = await development.graphql(query, undefined, null);
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const operator = await development.graphql<{ __schema: { queryType: { name: string } } }>(query);
    expect(operator.data?.__schema.queryType.name).toBe('Query');
  });

  it('hands its development token to this machine reached as localhost, 127.0.0.1 or [::1]', async () => {
    const url = `${loopbackUrl(development.app.url)}/auth/dev-token`;
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) {
      const answer = await call(url, { headers: { host } });
      expect(answer.status, host).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty('token');
    }
  });

  it('refuses it to a page that reached this machine under another name (DNS rebinding)', async () => {
    const url = `${loopbackUrl(development.app.url)}/auth/dev-token`;
    const answer = await call(url, { headers: { host: `evil.example:${new URL(url).port}` } });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    expect(answer.body).not.toContain('"token"');
  });

  it('refuses it to a remote client behind a trusted proxy, and a forged header from elsewhere grants nothing', async () => {
    const url = `${loopbackUrl(development.app.url)}/auth/dev-token`;
    const remote = await call(url, { localAddress: PROXY, headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(remote.status).toBe(404);
    const viaProxy = await call(url, { localAddress: PROXY, headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(viaProxy.status).toBe(200);
  });
});
