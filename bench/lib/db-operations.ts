/**
 * Counting what a process asks of the MongoDB-wire server, on the wire: a TCP
 * proxy in front of it that passes every byte through unchanged and reads the
 * commands going in (OP_MSG). Each process under measure gets a proxy of its
 * own, so the counts say who asked. It sees the same for any version of the
 * code (the previous main's as well as this one's), which is what a side by
 * side count needs, and it cannot miss a write the way a count kept in the
 * code could.
 *
 * Counted per command and collection: the commands, and the documents they
 * touch one by one: each document inserted, each update or delete statement,
 * each query (find, count, aggregate, findAndModify; a getMore continues a
 * query and is not another). Handshakes, pings and index builds are not
 * operations on orders and are left out.
 */
import net from 'node:net';
import mongoose from 'mongoose';

const OP_MSG = 2013;
const QUERIES = new Set(['find', 'count', 'countDocuments', 'aggregate', 'distinct', 'findAndModify']);
const STATEMENTS: Record<string, string> = { insert: 'documents', update: 'updates', delete: 'deletes' };

export interface OperationCount {
  commands: number;
  /** Documents inserted, update and delete statements, queries. */
  operations: number;
}

/** Counts by `<command> <collection>`, e.g. `insert orders`. */
export type OperationCounts = Record<string, OperationCount>;

export interface CountingProxy {
  /** The URI to give the process: the proxy's port, the same database. */
  readonly uri: string;
  /** The counts since the last reset. */
  counts(): OperationCounts;
  reset(): void;
  close(): Promise<void>;
}

/** What one OP_MSG asks: its command, collection and the documents its statements touch. */
function commandOf(body: Buffer): { key: string; operations: number } | undefined {
  // flagBits, then sections: kind 0 = the command document, kind 1 = a document sequence.
  let at = 4;
  let command: Record<string, unknown> | undefined;
  const sequences = new Map<string, number>();
  while (at < body.length) {
    const kind = body[at]!;
    at += 1;
    if (kind === 0) {
      const size = body.readInt32LE(at);
      command = mongoose.mongo.BSON.deserialize(body.subarray(at, at + size), { promoteBuffers: true });
      at += size;
    } else if (kind === 1) {
      const size = body.readInt32LE(at);
      const end = at + size;
      const nameEnd = body.indexOf(0, at + 4);
      const name = body.toString('utf8', at + 4, nameEnd);
      let count = 0;
      for (let doc = nameEnd + 1; doc < end; doc += body.readInt32LE(doc)) count += 1;
      sequences.set(name, count);
      at = end;
    } else break; // a checksum follows the sections
  }
  if (command === undefined) return undefined;
  const name = Object.keys(command)[0];
  if (name === undefined) return undefined;
  const collection = typeof command[name] === 'string' ? (command[name] as string) : '';
  const field = STATEMENTS[name];
  if (field !== undefined) {
    const inline = command[field];
    const operations = Array.isArray(inline) ? inline.length : (sequences.get(field) ?? 0);
    return { key: `${name} ${collection}`, operations };
  }
  if (QUERIES.has(name)) return { key: `${name} ${collection}`, operations: 1 };
  if (name === 'getMore') return { key: `getMore ${String(command.collection ?? '')}`, operations: 0 };
  return undefined;
}

/** Starts a proxy on a free loopback port in front of `target` (a mongodb:// URI with one host). */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const url = new URL(target);
  const upstream = { host: url.hostname, port: Number(url.port || 27017) };
  let counts: OperationCounts = {};
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const toServer = net.connect(upstream);
    sockets.add(client).add(toServer);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      toServer.write(chunk);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 16) {
        const length = pending.readInt32LE(0);
        if (pending.length < length) break;
        if (pending.readInt32LE(12) === OP_MSG) {
          const asked = commandOf(pending.subarray(16, length));
          if (asked !== undefined) {
            const count = (counts[asked.key] ??= { commands: 0, operations: 0 });
            count.commands += 1;
            count.operations += asked.operations;
          }
        }
        pending = pending.subarray(length);
      }
    });
    toServer.on('data', (chunk) => client.write(chunk));
    const close = () => {
      client.destroy();
      toServer.destroy();
      sockets.delete(client);
      sockets.delete(toServer);
    };
    client.on('close', close).on('error', close);
    toServer.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const proxied = new URL(target);
  proxied.host = `127.0.0.1:${port}`;
  return {
    uri: proxied.toString(),
    counts: () => structuredClone(counts),
    reset: () => void (counts = {}),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The operations and commands per order of some counts, in all and by `<command> <collection>`. */
export function perOrder(counts: OperationCounts, orders: number) {
  const per = (value: number) => Math.round((value / Math.max(1, orders)) * 1000) / 1000;
  const steps = Object.fromEntries(
    Object.entries(counts)
      .filter(([, count]) => count.operations > 0 || count.commands > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => [key, { operations: per(count.operations), commands: per(count.commands) }]),
  );
  const total = Object.values(counts).reduce(
    (sum, count) => ({ operations: sum.operations + count.operations, commands: sum.commands + count.commands }),
    { operations: 0, commands: 0 },
  );
  return { operations: per(total.operations), commands: per(total.commands), steps };
}
