/**
 * The floor for the hello-world comparison: a plain `node:http` server that
 * answers every POST with the JSON the GraphQL server gives for
 * `{ __typename }`. Written for the benchmark only.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({ data: { __typename: 'Query' } });
const port = Number(process.env.PORT ?? 4030);

createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(port, '127.0.0.1');
