/**
 * The baseline for the fan-out benchmark: a raw `ws` server that receives each
 * status change from Redis and broadcasts one pre-serialised frame of the same
 * shape as graphql-ws's `next` message to every socket. No GraphQL, no
 * per-subscriber work: the floor a GraphQL server's fan-out is measured against.
 * Written for the benchmark only.
 */
import { WebSocketServer } from 'ws';
import { channelsFor, createRedis, redisConfigFrom, type OrderStatusMessage } from '@orders/core';

const port = Number(process.env.PORT ?? 4020);
const channel = channelsFor(process.env.KAFKA_TOPIC_PREFIX ?? '').status;
const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 * 1024 });

wss.on('connection', (socket) => {
  // Answer the client's connection_init as a graphql-ws server would, so one client serves both benchmarks.
  socket.on('message', (data) => {
    if (String(data).includes('"connection_init"')) socket.send('{"type":"connection_ack"}');
  });
});

const redis = createRedis(redisConfigFrom(process.env));
await redis.subscribe(channel);
redis.on('message', (_channel, raw: string) => {
  const { change, order } = JSON.parse(raw) as OrderStatusMessage;
  const frame = JSON.stringify({
    id: '1',
    type: 'next',
    payload: {
      data: {
        orderStatusChanged: {
          status: change.status,
          at: change.at,
          order: { id: order._id, orderNumber: order.orderNumber, status: order.status, version: order.version },
        },
      },
    },
  });
  for (const client of wss.clients) client.send(frame);
});
console.error(`baseline-ws listening on ${port}`);
