/**
 * Outages of one server instance's stores, made from the test side on the shared servers without
 * stopping them (other test systems use them at the same time): Redis behind a loopback proxy that
 * can be cut, Kafka behind a publisher that can be switched off, and a retry's order write that can
 * fail as a crash between two writes would leave it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@orders/core';
import type { App, CreateAppOptions } from '@orders/server';
import type { TestServer } from '../../test/support/index.ts';
import { REDIS_URL } from '../../test/support/index.ts';

/**
 * A TCP proxy on loopback in front of the shared Redis; `cut()` drops its connections and stops
 * listening (a connection is refused at once, as from a stopped server), `restore()` listens again.
 */
export class RedisProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  private port = 0;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<RedisProxy> {
    const target = new URL(REDIS_URL);
    const server = createServer();
    const proxy = new RedisProxy(server);
    server.on('connection', (client) => {
      if (proxy.down) return void client.destroy();
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.port = (server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  cut(): void {
    if (this.down) return;
    this.down = true;
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }

  async restore(): Promise<void> {
    if (!this.down) return;
    this.down = false;
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  close(): void {
    this.cut();
  }
}

/** The switches of one faulty instance. */
export interface Faults {
  kafkaDown: boolean;
  /** Fails the next retry's order write, as a server dying between the claim and the write leaves it. */
  failNextRetryWrite: boolean;
}

/**
 * Another instance of `server`'s system, with its Redis behind `redis` and the faults of `faults`:
 * wrapped from outside through the app's options, the server's code knowing nothing of them.
 */
export async function startFaultyInstance(
  server: TestServer,
  redis: RedisProxy,
  faults: Faults,
  extra: Record<string, string> = {},
): Promise<App> {
  const { createApp, loadConfig } = await import('@orders/server');
  const options: CreateAppOptions = {
    logger: createLogger('faulty-server', 'error'),
    wrapOrderPublisher: (publisher) => ({
      sendOrderCreated(order, trace) {
        if (faults.kafkaDown) return Promise.reject(new Error('the broker is away (made by the test)'));
        return publisher.sendOrderCreated(order, trace);
      },
    }),
    wrapRetryWrite: (write) => (order) => {
      if (!faults.failNextRetryWrite) return write(order);
      faults.failNextRetryWrite = false;
      return Promise.reject(new Error('the server died here (made by the test)'));
    },
  };
  return createApp(loadConfig({ ...server.env, ...extra, REDIS_URL: redis.url }), options);
}
