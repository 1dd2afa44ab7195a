/**
 * Makes realistic random orders through the GraphQL API, as the dashboard's
 * bulk generator does: `npm run generate -- --count 1000 --rate 50`.
 * Options: --count N (default 100), --rate R per second (default 20),
 * --url (default http://localhost:4000/graphql), --token (default: ORDERS_TOKEN,
 * else an operator token made on this machine's secret, as `npm run token` does).
 */
import { parseArgs } from 'node:util';
import { faker } from '@faker-js/faker';
import { signToken, signingKey } from '@orders/core';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    rate: { type: 'string', default: '20' },
    url: { type: 'string', default: process.env.GRAPHQL_URL ?? 'http://localhost:4000/graphql' },
    token: { type: 'string', default: process.env.ORDERS_TOKEN },
  },
});
const count = Number(values.count);
const rate = Number(values.rate);
if (!Number.isInteger(count) || count < 1 || !(rate > 0)) {
  console.error('--count must be a positive whole number and --rate a positive number');
  process.exit(2);
}

const token =
  values.token ??
  (await signToken(signingKey({ secret: process.env.AUTH_SECRET, production: false }), {
    role: 'operator',
    subject: 'generate-orders',
    expiresInSeconds: 24 * 3600,
  }));

async function graphql<T>(query: string, variables?: object): Promise<T> {
  const response = await fetch(values.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data as T;
}

const catalogue = await graphql<{ products: { sku: string }[]; customers: { id: string }[] }>(
  '{ products { sku } customers { id } }',
).catch((error: unknown) => {
  console.error(`cannot reach the API at ${values.url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const CREATE = `mutation Generate($input: CreateOrderInput!) { createOrder(input: $input) { orderNumber } }`;
let created = 0;
let failed = 0;
const started = Date.now();
const inFlight: Promise<void>[] = [];

for (let i = 0; i < count; i++) {
  // Open loop: each order leaves at its scheduled time, whatever the previous ones are doing.
  const due = started + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const input = {
    customerId: faker.helpers.arrayElement(catalogue.customers).id,
    sku: faker.helpers.arrayElement(catalogue.products).sku,
    quantity: faker.number.int({ min: 1, max: 5 }),
  };
  inFlight.push(
    graphql(CREATE, { input }).then(
      () => void (created += 1),
      (error: unknown) => {
        failed += 1;
        console.error(`order ${i + 1} refused: ${error instanceof Error ? error.message : String(error)}`);
      },
    ),
  );
  if ((i + 1) % Math.max(1, Math.round(rate)) === 0) process.stdout.write(`\r${i + 1}/${count} sent`);
}
await Promise.all(inFlight);
const seconds = (Date.now() - started) / 1000;
console.log(`\n${created} orders created, ${failed} refused, in ${seconds.toFixed(1)} s`);
process.exitCode = failed > 0 ? 1 : 0;
