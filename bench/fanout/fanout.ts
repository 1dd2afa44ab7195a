/**
 * Subscription fan-out: N graphql-ws subscribers on one server instance, each
 * receiving every status change of a steady stream published on Redis as the
 * processor publishes it. Measured: delivery latency (from the publish to each
 * subscriber), the server's memory per connection, and its CPU per delivered
 * event, side by side with a raw `ws` broadcast of the same frames
 * (bench/fanout/baseline-ws.ts) in the same run.
 *
 * `tsx bench/fanout/fanout.ts --subscribers 1000 --events 10`
 */
import WebSocket from 'ws';
import { channelsFor, createRedis, redisConfigFrom } from '@orders/core';
import { commandLine } from '../lib/command-line.ts';
import { summarize, type Summary } from '../lib/latency.ts';
import {
  authorization,
  cpuSeconds,
  decisionMessage,
  freePort,
  launch,
  rssBytes,
  waitReady,
  type Running,
} from '../../test/support/index.ts';

const SUBSCRIPTION = `subscription Fanout {
  orderStatusChanged { status at order { id orderNumber status version } }
}`;

export interface FanoutSide {
  subscribers: number;
  events: number;
  delivered: number;
  latency: Summary;
  /** Server memory growth per connected subscriber, in KB. */
  memoryPerConnectionKb: number;
  /** Server CPU per delivered event, in microseconds. */
  cpuPerDeliveryMicros: number;
}

export interface FanoutResult {
  graphql: FanoutSide;
  rawWs: FanoutSide;
  /** GraphQL's CPU per delivered event over the raw broadcast's. */
  cpuRatio: number;
}

/** Opens `count` sockets speaking graphql-transport-ws, `batch` at a time; each subscribes once acknowledged. */
async function connectSubscribers(url: string, count: number, onFrame: (data: string) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const batch = 250;
  for (let start = 0; start < count; start += batch) {
    const opened = Array.from({ length: Math.min(batch, count - start) }, () => {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
        socket.on('message', (data) => {
          const text = String(data);
          if (text.includes('"connection_ack"')) {
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
            resolve();
          } else if (text.includes('"next"')) onFrame(text);
          else if (text.includes('"ping"')) socket.send('{"type":"pong"}');
        });
      });
    });
    await Promise.all(opened);
  }
  return sockets;
}

async function measureSide(
  server: Running,
  wsUrl: string,
  channel: string,
  options: { subscribers: number; events: number; rate: number },
): Promise<FanoutSide> {
  const redis = createRedis(redisConfigFrom(process.env));
  const latencies: number[] = [];
  let probes = 0;
  const onFrame = (text: string) => {
    const at = /"at":"([^"]+)"/.exec(text)?.[1];
    if (at === undefined) return;
    if (text.includes('ORD-FANOUT-probe')) probes += 1;
    else latencies.push(Date.now() - Date.parse(at));
  };
  const rssBefore = rssBytes(server.pid);
  const sockets = await connectSubscribers(wsUrl, options.subscribers, onFrame);
  try {
    // Every subscription is live once a probe reaches every socket.
    const deadline = Date.now() + 60_000;
    while (probes < options.subscribers && Date.now() < deadline) {
      probes = 0;
      const probe = decisionMessage({ index: 0, orderNumber: 'ORD-FANOUT-probe' });
      await redis.publish(channel, JSON.stringify(probe));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const rssAfter = rssBytes(server.pid);

    const cpuBefore = cpuSeconds(server.pid);
    for (let i = 1; i <= options.events; i++) {
      await redis.publish(channel, JSON.stringify(decisionMessage({ index: i, orderNumber: `ORD-FANOUT-${i}` })));
      await new Promise((resolve) => setTimeout(resolve, 1000 / options.rate));
    }
    const expected = options.events * options.subscribers;
    const until = Date.now() + 60_000;
    while (latencies.length < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    return {
      subscribers: options.subscribers,
      events: options.events,
      delivered: latencies.length,
      latency: summarize(latencies),
      memoryPerConnectionKb: Math.round((rssAfter - rssBefore) / options.subscribers / 102.4) / 10,
      cpuPerDeliveryMicros: Math.round((cpu / Math.max(1, latencies.length)) * 1e6 * 10) / 10,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    redis.disconnect();
  }
}

export async function benchFanout(options: {
  subscribers: number;
  events: number;
  rate: number;
}): Promise<FanoutResult> {
  const prefix = `bench_fanout_${Date.now()}.`;
  const channel = channelsFor(prefix).status;
  const port = freePort();
  const server = launch(
    'server/src/main.ts',
    { PORT: String(port), KAFKA_TOPIC_PREFIX: prefix, MONGODB_URI: `mongodb://127.0.0.1:27017/${prefix.slice(0, -1)}` },
    port,
  );
  let graphql: FanoutSide;
  try {
    await waitReady(`${server.url}/ready`);
    graphql = await measureSide(server, `ws://127.0.0.1:${port}/graphql`, channel, options);
  } finally {
    await server.stop();
  }
  const rawPort = freePort();
  const raw = launch('bench/fanout/baseline-ws.ts', { PORT: String(rawPort), KAFKA_TOPIC_PREFIX: prefix }, rawPort);
  let rawWs: FanoutSide;
  try {
    await waitForPort(rawPort);
    rawWs = await measureSide(raw, `ws://127.0.0.1:${rawPort}/`, channel, options);
  } finally {
    await raw.stop();
  }
  return {
    graphql,
    rawWs,
    cpuRatio: Math.round((graphql.cpuPerDeliveryMicros / Math.max(0.1, rawWs.cpuPerDeliveryMicros)) * 100) / 100,
  };
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
      socket.once('open', () => {
        socket.terminate();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing listens on ${port}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchFanout(commandLine({ subscribers: 1000, events: 10, rate: 2 }));
  console.log(JSON.stringify(result, null, 2));
}
