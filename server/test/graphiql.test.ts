/**
 * The GraphiQL page as the server sends it: its assets from this server under
 * a policy that allows this origin alone, the example operations, and a
 * development token only for a developer on this machine, never in production.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/index.ts';

interface Page {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET as a browser asks (Accept: text/html), with any Host header. */
function get(url: string, headers: Record<string, string> = {}): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/html', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The Authorization the page starts with, from the options it carries. */
function authorizationOf(page: Page): string {
  const options = /<script id="graphiql-options" type="application\/json">(.*?)<\/script>/s.exec(page.body)?.[1];
  const headers = JSON.parse(JSON.parse(options ?? '{}').headers ?? '{}') as { Authorization?: string };
  return headers.Authorization ?? '';
}

let development: TestServer;
let production: TestServer;
const url = (server: TestServer) => `${server.app.url.replace('localhost', '127.0.0.1')}/graphql`;

beforeAll(async () => {
  development = await startTestServer('graphiql_dev');
  production = await startTestServer('graphiql_prod', {
    NODE_ENV: 'production',
    AUTH_SECRET: 'a-production-secret-of-at-least-32-characters',
    GRAPHIQL: 'true',
    INTROSPECTION: 'authenticated',
  });
});
afterAll(async () => {
  await development?.close();
  await production?.close();
});

describe('the GraphiQL page', () => {
  it('loads scripts, styles and workers from this server only, under a policy that says so', async () => {
    const page = await get(url(development));
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self';/);
    const sources = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const source of sources) expect(source).toMatch(/^\/graphiql\/[0-9a-f]{12}\//);
    expect(page.body).not.toMatch(/<script>/);
    for (const source of sources) {
      const asset = await fetch(`${development.app.url}${source}`);
      expect(asset.status, source).toBe(200);
    }
    const start = await (await fetch(`${development.app.url}${sources.find((s) => s.endsWith('start.js'))}`)).text();
    for (const worker of [...start.matchAll(/"(\/graphiql\/[^"]+\.js)"/g)].map((match) => match[1]!)) {
      expect((await fetch(`${development.app.url}${worker}`)).status, worker).toBe(200);
    }
  });

  it('opens with the example query and subscription', async () => {
    const page = await get(url(development));
    expect(page.body).toContain('query Products');
    expect(page.body).toContain('subscription NewOrders');
  });

  it('carries an operator token for a developer on this machine, which the server accepts', async () => {
    const authorization = authorizationOf(await get(url(development)));
    expect(authorization).toMatch(/^Bearer ey/);
    const products = await development.graphql<{ products: unknown[] }>(
      '{ products { sku } }',
      undefined,
      authorization.slice('Bearer '.length),
    );
    expect(products.data?.products.length).toBe(24);
  });

  it('carries no token to a page that reached this machine under another name', async () => {
    const page = await get(url(development), { host: 'evil.example' });
    expect(page.status).toBe(200);
    expect(authorizationOf(page)).not.toMatch(/ey/);
  });

  it('in production, switched on by GRAPHIQL=true, never carries a token', async () => {
    const page = await get(url(production));
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBeDefined();
    expect(authorizationOf(page)).toMatch(/^Bearer <a token/);
  });
});
