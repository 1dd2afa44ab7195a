/**
 * `npm run bench`: every benchmark in one run against the real local servers,
 * results written to bench/results/ (latest.json, latest.md, pipeline.svg)
 * with the machine, Node version and commit. Each comparison is made side by
 * side in this run and given as a ratio as well as absolute figures.
 *
 * `npm run bench -- pipeline --against <commit>` also searches another commit's
 * highest sustained rate (a checkout of it, see lib/checkout.ts), alternated
 * with this one's, and reports the ratio; `--payments-latency 150/600` gives
 * every system of the pipeline search a payment service of the run's own whose
 * authorizations take that median and 99th percentile (ms).
 *
 * `npm run bench -- stores hello queries pipeline fanout profile scale` runs a
 * subset (in that order), written to `bench/results/<parts>.{json,md}` so that
 * the last full run's latest.* stay whole; `BENCH_QUICK=1` shortens every part
 * for a smoke run.
 * `scale` (100,000 then 1,000,000 orders, `SCALE_ORDERS` to change them) takes
 * a quarter of an hour or more: it writes and indexes every order first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { repoRoot, startPaymentService } from '../test/support/index.ts';
import { benchFanout } from './fanout/fanout.ts';
import { benchHello } from './hello/hello.ts';
import { prepareCheckout } from './lib/checkout.ts';
import { renderPipelineChart } from './pipeline/chart.ts';
import { pipelineSection, type RunOptions } from './pipeline/search.ts';
import { benchProfile } from './profile/profile.ts';
import { benchQueries } from './queries/queries.ts';
import { renderMarkdown, thisMachine, type BenchResults } from './results.ts';
import { benchScale, scaleSizes } from './scale/scale.ts';
import { measureStores } from './stores/stores.ts';

const { values: flags, positionals: asked } = parseArgs({
  options: { against: { type: 'string' }, 'payments-latency': { type: 'string' } },
  allowPositionals: true,
});
const slowPayments = flags['payments-latency']?.split('/');
const payments =
  slowPayments === undefined
    ? undefined
    : await startPaymentService({
        PAYMENTS_LATENCY_P50_MS: slowPayments[0]!,
        PAYMENTS_LATENCY_P99_MS: slowPayments[1] ?? slowPayments[0]!,
      });
const run: RunOptions = {
  quick: process.env.BENCH_QUICK === '1',
  step: (message) => console.error(`[bench] ${message}`),
  env: payments === undefined ? undefined : { PAYMENTS_URL: payments.url },
};
const { quick, step } = run;

/** Each benchmark by the name it is asked for, in the order a run takes them; each adds its figures to `results`. */
const BENCHMARKS = {
  async stores(results: BenchResults) {
    step('stores: the MongoDB-wire server, Redis and Kafka on their own');
    results.stores = await measureStores();
  },
  async hello(results: BenchResults) {
    step('hello: { __typename } on the GraphQL server against node:http');
    results.hello = await benchHello({ seconds: quick ? 3 : 8, connections: 32 });
  },
  async queries(results: BenchResults) {
    step('queries: orders(status, first: 20) and orderStats against the Express + mongoose baseline');
    results.queries = await benchQueries({ orders: quick ? 1000 : 5000, seconds: quick ? 3 : 8, connections: 16 });
  },
  async pipeline(results: BenchResults) {
    step('pipeline: createOrder at fixed rates to the final status on a graphql-ws subscriber');
    const against = flags.against === undefined ? undefined : prepareCheckout(flags.against, step);
    results.pipeline = { ...(await pipelineSection(run, against)), paymentsLatency: flags['payments-latency'] };
  },
  async fanout(results: BenchResults) {
    results.fanout = [];
    for (const subscribers of quick ? [500] : [1000, 5000, 10000]) {
      step(`fanout: ${subscribers} graphql-ws subscribers against a raw ws broadcast`);
      results.fanout.push(await benchFanout({ subscribers, events: quick ? 4 : 10, rate: 2 }));
    }
  },
  async profile(results: BenchResults) {
    const rate = results.pipeline?.highestSustained || 100;
    step(`profile: the pipeline at ${rate}/s with --cpu-prof`);
    results.profile = await benchProfile(rate, run);
  },
  async scale(results: BenchResults) {
    const sizes = scaleSizes(quick);
    step(`scale: the server over ${sizes.map((size) => size.toLocaleString('en-US')).join(' and ')} orders`);
    results.scale = await benchScale({
      sizes,
      seconds: quick ? 3 : 8,
      connections: 16,
      subscriptions: quick ? 20 : 50,
    });
  },
} satisfies Record<string, (results: BenchResults) => Promise<void>>;

type Part = keyof typeof BENCHMARKS;
const PARTS = Object.keys(BENCHMARKS) as Part[];

const unknown = asked.filter((arg) => !PARTS.includes(arg as Part));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
  process.exit(2);
}
const parts = new Set<Part>(asked.length > 0 ? (asked as Part[]) : PARTS);

const results: BenchResults = { machine: thisMachine() };
for (const part of PARTS) if (parts.has(part)) await BENCHMARKS[part](results);

const dir = path.join(repoRoot, 'bench', 'results');
mkdirSync(dir, { recursive: true });
// A run of some parts only is written beside the full run's results, not over them.
const partsName = parts.size === PARTS.length ? 'latest' : PARTS.filter((part) => parts.has(part)).join('-');
const name = slowPayments === undefined ? partsName : `${partsName}-payments-${slowPayments.join('-')}`;
writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(dir, `${name}.md`), renderMarkdown(results));
if (results.pipeline && name === 'latest') {
  writeFileSync(path.join(dir, 'pipeline.svg'), renderPipelineChart(results.pipeline));
}
step(`written to ${path.relative(process.cwd(), dir)}/${name}.{json,md}`);
await payments?.close();
