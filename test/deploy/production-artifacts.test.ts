/**
 * The production artifacts, built the way the Dockerfile builds them (infra/image/build-production.sh
 * on a clean copy of the tree, production dependencies only) and started with the image's
 * environment plus the shared servers' addresses: what a production deployment runs, without a
 * container. Listening on loopback here (HOST overridden), every request to 127.0.0.1.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '@orders/core';
import { dropSystem, freePort, systemEnv, waitFor, waitReady } from '../support/index.ts';
import { imageEnvironment, productionSettings } from './image-environment.ts';
import { buildArtifacts, startService, type Artifacts, type Service } from './production-artifacts.ts';

const AUTH_SECRET = 'example-secret-for-the-production-artifacts-test';
const key = new TextEncoder().encode(AUTH_SECRET);
const system = systemEnv('artifacts');
const port = freePort();
const url = `http://127.0.0.1:${port}`;
const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status } }`;

let artifacts: Artifacts | undefined;
let server: Service | undefined;
let processor: Service | undefined;

beforeAll(async () => {
  artifacts = await buildArtifacts();
  const env = {
    ...productionSettings(system, AUTH_SECRET),
    HOST: '127.0.0.1',
    PORT: String(port),
    PROCESSOR_HOST: '127.0.0.1',
    PROCESSOR_PORT: String(freePort()),
    LOG_LEVEL: 'warn',
  };
  server = startService(artifacts.app, 'server', env);
  processor = startService(artifacts.app, 'processor', env);
  await waitReady(`${url}/ready`, 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${server?.output()}`);
  });
  await waitReady(`http://127.0.0.1:${env.PROCESSOR_PORT}/ready`, 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${processor?.output()}`);
  });
}, 600_000);

afterAll(async () => {
  const codes = await Promise.all([server?.stop(), processor?.stop()]);
  await dropSystem(system);
  artifacts?.remove();
  expect(codes, `${server?.output()}\n${processor?.output()}`).toEqual([0, 0]);
}, 120_000);

interface Stats {
  total: number;
  pending: number;
  processed: number;
  failed: number;
}

/** The fields these tests ask for, each optional: an answer holds the ones its operation asked. */
interface Answer {
  data?: {
    createOrder?: { id: string; status: string };
    order?: { status: string } | null;
    orderStats?: Stats;
    __schema?: unknown;
  } | null;
  errors?: { message: string }[];
}

async function graphql(query: string, variables?: object, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

const operator = (subject: string) => signToken(key, { role: 'operator', subject, expiresInSeconds: 3600 });

describe('the production artifacts', () => {
  it('hold the bundles, the dashboard and the production dependencies, and no development tool', () => {
    const app = artifacts!.app;
    const files = [
      'server/dist/main.js',
      'processor/dist/main.js',
      'web/dist/index.html',
      'web/src/gql/persisted-documents.json',
      'start.mjs',
    ];
    for (const file of files) {
      expect(existsSync(path.join(app, file)), file).toBe(true);
    }
    const installed = readdirSync(path.join(app, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['kafkajs', 'mongoose', 'ioredis', 'graphql-yoga', 'zod']));
    for (const tool of ['vitest', 'typescript', 'tsx', 'esbuild', 'vite', 'react', 'eslint', 'prettier']) {
      expect(installed, tool).not.toContain(tool);
    }
  });

  it('run in production mode, as the image sets it', () => {
    expect(imageEnvironment().NODE_ENV).toBe('production');
  });

  it('take an order through to PROCESSED, with a token made with AUTH_SECRET', async () => {
    const token = await operator('artifacts-one');
    const created = await graphql(CREATE, { input: { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 1 } }, token);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createOrder!.id;
    const status = await waitFor(
      'the order to be decided',
      async () => {
        const answer = await graphql(
          `
            query ($id: ID!) {
              order(id: $id) {
                status
              }
            }
          `,
          { id },
          token,
        );
        const decided = answer.data?.order?.status;
        return decided !== 'PENDING' && decided;
      },
      60_000,
      200,
    );
    expect(status).toBe('PROCESSED');
  });

  it("load the dashboard's persisted operations, where the server looks for them by default", () => {
    expect(server!.output()).not.toMatch(/no persisted documents/);
  });

  it('serve the dashboard at /', async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('serve no development token, even to a caller claiming to be local', async () => {
    expect((await fetch(`${url}/auth/dev-token`)).status).toBe(404);
    const forged = await fetch(`${url}/auth/dev-token`, {
      headers: { 'x-forwarded-for': '127.0.0.1', host: 'localhost' },
    });
    expect(forged.status).toBe(404);
  });

  it('serve no GraphiQL to a browser', async () => {
    const response = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/graphiql/i);
  });

  it('refuse anonymous introspection', async () => {
    const answer = await graphql('{ __schema { queryType { name } } }');
    expect(answer.data?.__schema).toBeUndefined();
    expect(answer.errors?.length).toBeGreaterThan(0);
  });

  it('give a preflight from a foreign origin no allow header', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('let a forged X-Forwarded-For from an untrusted peer change nothing', async () => {
    // The peer (loopback) is no trusted proxy (TRUST_PROXY is unset): the header is not read.
    const plain = await fetch(`${url}/metrics`);
    const forged = await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(forged.status).toBe(plain.status);
    const token = await operator('artifacts-forwarded');
    const created = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-forwarded-for': '10.1.2.3' },
      body: JSON.stringify({
        query: CREATE,
        variables: { input: { customerId: 'cus_0002', sku: 'SKU-0002', quantity: 1 } },
      }),
    });
    expect(created.status).toBe(200);
  });

  it('decide 500 orders with stock without a single FAILED', async () => {
    // Five tokens of 100 orders each: the rate limit (per token) is not what this measures.
    const tokens = await Promise.all([0, 1, 2, 3, 4].map((i) => operator(`artifacts-load-${i}`)));
    let next = 0;
    const errors: string[] = [];
    const sender = async () => {
      for (let i = next++; i < 500; i = next++) {
        const input = {
          customerId: `cus_${String(1 + (i % 40)).padStart(4, '0')}`,
          sku: `SKU-${String(1 + (i % 24)).padStart(4, '0')}`,
          quantity: 1,
          idempotencyKey: `artifacts-${i}`,
        };
        const answer = await graphql(CREATE, { input }, tokens[i % 5]);
        if (answer.errors) errors.push(answer.errors.map((error) => error.message).join('; '));
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(errors).toEqual([]);
    const token = tokens[0]!;
    const stats = await waitFor(
      'every order to be decided',
      async () => {
        const answer = await graphql('{ orderStats { total pending processed failed } }', undefined, token);
        const figures = answer.data?.orderStats;
        return figures !== undefined && figures.total >= 502 && figures.pending === 0 && figures;
      },
      180_000,
      500,
    );
    expect(stats).toMatchObject({ total: 502, pending: 0, processed: 502, failed: 0 });
  }, 300_000);
});
