/**
 * The HTTP floor: `{ __typename }` on the GraphQL server against a plain
 * `node:http` server answering the same bytes (bench/hello/baseline-hello.ts), one
 * after the other in the same run. What the GraphQL layer itself costs.
 */
import { freePort, launch, waitReady } from '../../test/support/index.ts';
import { graphqlLoad, load, ratio, type LoadResult } from '../lib/load.ts';

export interface HelloResult {
  graphql: LoadResult;
  nodeHttp: LoadResult;
  graphqlToNodeHttp: number;
}

export async function benchHello(options: { seconds: number; connections: number }): Promise<HelloResult> {
  const prefix = `bench_hello_${Date.now()}`;
  const port = freePort();
  const server = launch(
    'server/src/main.ts',
    { PORT: String(port), KAFKA_TOPIC_PREFIX: `${prefix}.`, MONGODB_URI: `mongodb://127.0.0.1:27017/${prefix}` },
    port,
  );
  const plainPort = freePort();
  const plain = launch('bench/hello/baseline-hello.ts', { PORT: String(plainPort) }, plainPort);
  try {
    await waitReady(`${server.url}/ready`);
    const hello = (url: string) => graphqlLoad(url, '{ __typename }', options.connections, options.seconds);
    await load({ ...hello(`${server.url}/graphql`), duration: 2 });
    const graphql = await load(hello(`${server.url}/graphql`));
    const nodeHttp = await load(hello(`${plain.url}/`));
    return { graphql, nodeHttp, graphqlToNodeHttp: ratio(graphql.requestsPerSec, nodeHttp.requestsPerSec) };
  } finally {
    await Promise.all([server.stop(), plain.stop()]);
  }
}
