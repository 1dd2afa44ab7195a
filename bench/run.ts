/**
 * `npm run bench`: every benchmark in one run against the real local servers,
 * results written to bench/results/ (latest.json, latest.md, pipeline.svg)
 * with the machine, Node version and commit. Each comparison is made side by
 * side in this run and given as a ratio as well as absolute figures.
 *
 * `npm run bench -- pipeline --against <commit>` also searches another commit's
 * highest sustained rate (a checkout of it, see lib/checkout.ts), alternated
 * with this one's, and reports the ratio.
 *
 * `npm run bench -- stores hello queries pipeline fanout profile scale` runs a
 * subset (in that order), written to `bench/results/<parts>.{json,md}` so that
 * the last full run's latest.* stay whole; `BENCH_QUICK=1` shortens every part
 * for a smoke run.
 * `scale` (100,000 then 1,000,000 orders, `SCALE_ORDERS` to change them) takes
 * a quarter of an hour or more: it writes and indexes every order first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { benchFanout, type FanoutResult } from './fanout.ts';
import { benchHello, type HelloResult } from './hello.ts';
import { prepareCheckout, type Checkout } from './lib/checkout.ts';
import { summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import { repoRoot } from '../test/support/index.ts';
import { runPipeline, startSystem, sustained, type PipelineResult } from './pipeline.ts';
import { benchQueries } from './queries.ts';
import { benchScale, scaleSizes, type ScaleResult } from './scale.ts';
import { measureStores } from './stores.ts';
import { renderMarkdown, renderPipelineChart } from './report.ts';

const PARTS = ['stores', 'hello', 'queries', 'pipeline', 'fanout', 'profile', 'scale'] as const;
type Part = (typeof PARTS)[number];

const quick = process.env.BENCH_QUICK === '1';
const { values: flags, positionals: asked } = parseArgs({
  options: { against: { type: 'string' } },
  allowPositionals: true,
});
const unknown = asked.filter((arg) => !PARTS.includes(arg as Part));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
  process.exit(2);
}
const parts = new Set<Part>(asked.length > 0 ? (asked as Part[]) : PARTS);

export interface PipelineSide {
  ladder: PipelineResult[];
  highestSustained: number;
  latencyRun: PipelineResult | null;
}

export interface PipelineSection extends PipelineSide {
  /** The same search for another commit, alternated with this one's in the same run (`--against <commit>`). */
  against?: PipelineSide & { commit: string };
}

export interface BenchResults {
  machine: { cores: number; memoryGiB: number; cpu: string; node: string; commit: string; at: string };
  stores?: Record<string, number>;
  hello?: HelloResult;
  queries?: Awaited<ReturnType<typeof benchQueries>>;
  pipeline?: PipelineSection;
  fanout?: FanoutResult[];
  profile?: { rate: number; server: ProfileSummary; processor: ProfileSummary } | null;
  scale?: ScaleResult;
}

function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  // Earlier results under bench/results/ are not a change to what is measured.
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results') !== '';
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+changes' : ''}`;
}

const step = (message: string) => console.error(`[bench] ${message}`);
const seconds = quick ? 4 : 10;

async function pipelineAt(
  rate: number,
  options: { profileDir?: string; side?: Checkout } = {},
): Promise<PipelineResult> {
  const system = await startSystem('bench_pipeline', { profileDir: options.profileDir, root: options.side?.root });
  try {
    const result = await runPipeline(system, {
      rate,
      seconds,
      drainSeconds: quick ? 10 : 20,
      warmupSeconds: quick ? 1 : 3,
    });
    step(
      `pipeline${options.side ? ` (${options.side.commit})` : ''} ${rate}/s: ${result.finished}/${result.sent} finished, ` +
        `${result.finalPerSec}/s final, p99 to subscriber ${result.toSubscriber.p99} ms, ` +
        `${result.dbPerOrder.operations} database operations per order${sustained(result) ? '' : ' (not sustained)'}`,
    );
    return result;
  } finally {
    await system.stop();
  }
}

/**
 * One side's search for its highest sustained rate: a ladder of fixed rates up to the first one not
 * sustained, then halving the gap between the last two, a few times.
 */
class RateSearch {
  readonly ladder: PipelineResult[] = [];
  best = 0;
  private over: number | undefined;
  private halvings = 0;

  constructor(
    private readonly climb: number[],
    private readonly maxHalvings: number,
  ) {}

  next(): number | undefined {
    if (this.over === undefined) return this.climb.shift();
    if (this.halvings >= this.maxHalvings || this.over - this.best <= 10) return undefined;
    return Math.round((this.best + this.over) / 2);
  }

  record(result: PipelineResult): void {
    this.ladder.push(result);
    const climbing = this.over === undefined;
    if (sustained(result)) this.best = result.offeredRate;
    else this.over = result.offeredRate;
    if (!climbing) this.halvings += 1;
  }
}

/**
 * The highest sustained rate of this checkout and, with `against`, of another commit's, their runs
 * alternated (each round, the other side goes first) so that both meet the same machine; then each at
 * half its rate for the latency target.
 */
async function pipelineSection(against?: Checkout): Promise<PipelineSection> {
  const sides = [undefined, ...(against ? [against] : [])].map((side) => ({
    side,
    search: new RateSearch(quick ? [50, 100] : [100, 250, 500, 1000], quick ? 1 : 3),
  }));
  for (let round = 0; ; round++) {
    let ran = false;
    for (const { side, search } of round % 2 === 0 ? sides : [...sides].reverse()) {
      const rate = search.next();
      if (rate === undefined) continue;
      search.record(await pipelineAt(rate, { side }));
      ran = true;
    }
    if (!ran) break;
  }
  const finish = async ({ side, search }: (typeof sides)[number]) => {
    // The latency target: at half the sustained rate, 200 orders per second at most.
    const latencyRate = Math.min(200, Math.max(1, Math.floor(search.best / 2)));
    const latencyRun = search.best > 0 ? await pipelineAt(latencyRate, { side }) : null;
    return {
      ladder: search.ladder.sort((a, b) => a.offeredRate - b.offeredRate),
      highestSustained: search.best,
      latencyRun,
    };
  };
  const mine = await finish(sides[0]!);
  if (sides[1] === undefined || against === undefined) return mine;
  const theirs = await finish(sides[1]);
  return { ...mine, against: { commit: against.commit, ...theirs } };
}

async function profileSection(rate: number): Promise<BenchResults['profile']> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  await pipelineAt(rate, { profileDir: dir });
  // Each process writes one profile for its main thread (and one per worker, which are near idle).
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => path.join(dir, file));
  const summaries = files.map((file) => summarizeProfile(file)).sort((a, b) => a.idlePercent - b.idlePercent);
  const [first, second] = summaries;
  if (!first || !second) return null;
  // The two busiest profiles are the server's and the processor's main threads; tell them apart by their code.
  const isServer = (summary: ProfileSummary) => summary.topPackages.some((cost) => cost.name === 'graphql-yoga');
  const [server, processor] = isServer(first) ? [first, second] : [second, first];
  return { rate, server, processor };
}

const results: BenchResults = {
  machine: {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    commit: commit(),
    at: new Date().toISOString(),
  },
};

if (parts.has('stores')) {
  step('stores: the MongoDB-wire server, Redis and Kafka on their own');
  results.stores = await measureStores();
}
if (parts.has('hello')) {
  step('hello: { __typename } on the GraphQL server against node:http');
  results.hello = await benchHello({ seconds: quick ? 3 : 8, connections: 32 });
}
if (parts.has('queries')) {
  step('queries: orders(status, first: 20) and orderStats against the Express + mongoose baseline');
  results.queries = await benchQueries({ orders: quick ? 1000 : 5000, seconds: quick ? 3 : 8, connections: 16 });
}
if (parts.has('pipeline')) {
  step('pipeline: createOrder at fixed rates to the final status on a graphql-ws subscriber');
  const against = flags.against === undefined ? undefined : prepareCheckout(flags.against, step);
  results.pipeline = await pipelineSection(against);
}
if (parts.has('fanout')) {
  results.fanout = [];
  for (const subscribers of quick ? [500] : [1000, 5000, 10000]) {
    step(`fanout: ${subscribers} graphql-ws subscribers against a raw ws broadcast`);
    results.fanout.push(await benchFanout({ subscribers, events: quick ? 4 : 10, rate: 2 }));
  }
}
if (parts.has('profile')) {
  const rate = results.pipeline?.highestSustained || 100;
  step(`profile: the pipeline at ${rate}/s with --cpu-prof`);
  results.profile = await profileSection(rate);
}
if (parts.has('scale')) {
  const sizes = scaleSizes(quick);
  step(`scale: the server over ${sizes.map((size) => size.toLocaleString('en-US')).join(' and ')} orders`);
  results.scale = await benchScale({
    sizes,
    seconds: quick ? 3 : 8,
    connections: 16,
    subscriptions: quick ? 20 : 50,
  });
}

const dir = path.join(repoRoot, 'bench', 'results');
mkdirSync(dir, { recursive: true });
// A run of some parts only is written beside the full run's results, not over them.
const name = parts.size === PARTS.length ? 'latest' : PARTS.filter((part) => parts.has(part)).join('-');
writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(dir, `${name}.md`), renderMarkdown(results));
if (results.pipeline && name === 'latest') {
  writeFileSync(path.join(dir, 'pipeline.svg'), renderPipelineChart(results.pipeline));
}
step(`written to ${path.relative(process.cwd(), dir)}/${name}.{json,md}`);
