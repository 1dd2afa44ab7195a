/**
 * The image, built and run: infra/image/build-image.sh builds it with podman on a base made from
 * this machine's Node (no image registry is reachable here), and both commands run in containers
 * on the host's network against the shared servers on loopback, with the image's own environment
 * plus the servers' addresses. `npm run test:image`: 3 to 5 minutes, most of it the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '@orders/core';
import { dropSystem, freePort, repoRoot, systemEnv, waitFor, waitReady } from '../support/index.ts';
import { productionSettings } from './image-environment.ts';

const IMAGE = 'localhost/orders-realtime:test';
const podmanScript = path.join(repoRoot, 'infra/image/podman.sh');
const AUTH_SECRET = 'example-secret-for-the-container-test-only';
const system = systemEnv('image');
const port = freePort();
const processorPort = freePort();
const url = `http://127.0.0.1:${port}`;
const names = { server: `${system.id}-server`, processor: `${system.id}-processor` };

/** podman through the project's script; resolves with what it printed, rejects on a failure. */
function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [podmanScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`podman ${args.slice(0, 2).join(' ')} exited with ${code}:\n${err}`));
    });
  });
}

/** Runs one of the image's commands in a container on the host's network, with a read-only root. */
function runContainer(name: string, command: 'server' | 'processor'): Promise<string> {
  const env = {
    ...productionSettings(system, AUTH_SECRET),
    // On the host's network: listen on loopback only.
    HOST: '127.0.0.1',
    PORT: String(port),
    PROCESSOR_HOST: '127.0.0.1',
    PROCESSOR_PORT: String(command === 'server' ? 0 : processorPort),
  };
  const settings = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  return podman([
    'run',
    '--detach',
    '--name',
    name,
    '--network=host',
    '--read-only',
    '--tmpfs',
    '/tmp',
    ...settings,
    IMAGE,
    command,
  ]);
}

const logsOf = (name: string) => podman(['logs', '--tail', '40', name]).catch((error: unknown) => String(error));

beforeAll(async () => {
  const build = spawnSync('sh', [path.join(repoRoot, 'infra/image/build-image.sh'), IMAGE], {
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) throw new Error(`the image did not build:\n${(build.stdout + build.stderr).slice(-6000)}`);
  await runContainer(names.server, 'server');
  await runContainer(names.processor, 'processor');
  await waitReady(`${url}/ready`, 120_000).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\n${await logsOf(names.server)}`);
  });
  await waitReady(`http://127.0.0.1:${processorPort}/ready`, 120_000).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\n${await logsOf(names.processor)}`);
  });
}, 1_200_000);

afterAll(async () => {
  for (const name of Object.values(names)) await podman(['rm', '--force', '--time', '5', name]).catch(() => undefined);
  // The image and its build stage's layers go too: each run builds afresh, and they weigh hundreds of MB.
  await podman(['rmi', '--force', IMAGE]).catch(() => undefined);
  await podman(['image', 'prune', '--force']).catch(() => undefined);
  await dropSystem(system);
}, 120_000);

async function graphql(query: string, variables: object, token: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: { createOrder?: { id: string }; order?: { status: string } | null } | null;
    errors?: { message: string }[];
  };
}

describe('the image', () => {
  it('takes an order through the server and the processor containers to PROCESSED', async () => {
    const token = await signToken(new TextEncoder().encode(AUTH_SECRET), {
      role: 'operator',
      subject: 'image-test',
      expiresInSeconds: 600,
    });
    const created = await graphql(
      'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
      { input: { customerId: 'cus_0003', sku: 'SKU-0003', quantity: 1 } },
      token,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createOrder!.id;
    const status = await waitFor(
      'the order to be decided',
      async () => {
        const decided = (await graphql('query($id: ID!) { order(id: $id) { status } }', { id }, token)).data?.order
          ?.status;
        return decided !== 'PENDING' && decided;
      },
      60_000,
      200,
    );
    expect(status).toBe('PROCESSED');
  });

  it('runs both services as the unprivileged user, in production mode', async () => {
    for (const name of Object.values(names)) {
      const seen = await podman(['exec', name, 'node', '-e', 'console.log(process.getuid(), process.env.NODE_ENV)']);
      expect(seen, name).toBe('1000 production');
      // PID 1 is the service itself (it gets the runtime's SIGTERM), as that user.
      const status = await podman([
        'exec',
        name,
        'node',
        '-e',
        'process.stdout.write(require("fs").readFileSync("/proc/1/status", "utf8"))',
      ]);
      expect(status, name).toMatch(/^Uid:\s+1000\s/m);
    }
    expect(await podman(['image', 'inspect', '--format', '{{.Config.User}}', IMAGE])).toBe('node');
  });

  it("answers the image's health check in each container", async () => {
    for (const name of Object.values(names)) {
      await expect(podman(['healthcheck', 'run', name]), name).resolves.toBeDefined();
    }
  });

  it("stops the server cleanly on the runtime's SIGTERM, exit code 0", async () => {
    await podman(['stop', '--time', '60', names.server], 90_000);
    expect(await podman(['inspect', '--format', '{{.State.ExitCode}}', names.server])).toBe('0');
  });
});
