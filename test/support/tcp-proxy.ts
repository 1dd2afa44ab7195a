/**
 * A loopback TCP proxy in front of a real server, that a test can cut: every
 * connection through it is destroyed and new ones are refused until it is
 * restored. How a fault test makes the database unreachable for one process
 * (a processor given the proxy's address) while the shared server, and
 * everyone else using it, carries on.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Destroys every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const makeServer = () =>
    net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  let server = makeServer();
  const port = await listen(server, 0);
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    async cut() {
      const closing = closeServer(server);
      destroyAll();
      await closing;
    },
    async restore() {
      if (server.listening) return;
      server = makeServer();
      await listen(server, port);
    },
    async close() {
      const closing = closeServer(server);
      destroyAll();
      await closing;
    },
  };
}
