/** The benchmark results as a Markdown report (with the targets met or missed) and an SVG chart of the pipeline. */
import type { LoadResult } from './lib/load.ts';
import type { PipelineResult } from './pipeline.ts';
import type { ScaleResult, ScaleSize } from './scale.ts';
import type { BenchResults, PipelineSection, PipelineSide } from './run.ts';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
const num = (value: number | undefined) => (value === undefined ? 'n/a' : value.toLocaleString('en-US'));

/** Orders per second one insert plus one update per order allow, given each's own ceiling. */
const perOrder = (insert: number, update: number) => Math.round(1 / (1 / insert + 1 / update));

function pipelineRow(r: PipelineResult): (string | number)[] {
  const cpu = Object.entries(r.cpuPerThousand)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return [
    r.offeredRate,
    `${r.finished}/${r.sent}`,
    r.finalPerSec,
    `${r.mutation.p50} / ${r.mutation.p99}`,
    `${r.toSubscriber.p50} / ${r.toSubscriber.p95} / ${r.toSubscriber.p99} / ${r.toSubscriber.max}`,
    // Results written before the split have no legs.
    r.toDecision ? `${r.toDecision.p50} / ${r.toDecision.p99}` : '',
    r.decisionToSubscriber ? `${r.decisionToSubscriber.p50} / ${r.decisionToSubscriber.p99}` : '',
    // Results written before the wire count have none.
    r.dbPerOrder ? `${r.dbPerOrder.operations} / ${r.dbPerOrder.commands}` : '',
    cpu,
  ];
}

const PIPELINE_HEAD = [
  'offered/s',
  'finished',
  'final states/s',
  'mutation p50 / p99',
  'to subscriber p50 / p95 / p99 / max',
  'of which to the decision p50 / p99',
  'decision to subscriber p50 / p99',
  'database operations / commands per order',
  'CPU s per 1,000 orders',
];

/** The run a side's figures per order are read from: its highest sustained rate's. */
function sustainedRun(side: PipelineSide): PipelineResult | undefined {
  return side.ladder.find((r) => r.offeredRate === side.highestSustained);
}

/** Database operations per order by step (`<command> <collection>` of the server or the processor), side by side. */
function operationSteps(sides: { name: string; run: PipelineResult | undefined }[]): string {
  const keys = new Set<string>();
  const stepsOf = (run: PipelineResult | undefined) =>
    run?.dbPerOrder
      ? Object.fromEntries(
          (['server', 'processor'] as const).flatMap((process) =>
            Object.entries(run.dbPerOrder[process].steps).map(([key, count]) => [`${process}: ${key}`, count]),
          ),
        )
      : {};
  const all = sides.map(({ run }) => stepsOf(run));
  for (const steps of all) for (const key of Object.keys(steps)) keys.add(key);
  const rows = [...keys]
    .sort()
    .map((key) => [
      key,
      ...all.map((steps) => (steps[key] ? `${steps[key].operations} (${steps[key].commands})` : '0')),
    ]);
  rows.push([
    '**in all**',
    ...sides.map(({ run }) =>
      run?.dbPerOrder ? `**${run.dbPerOrder.operations}** (${run.dbPerOrder.commands})` : 'n/a',
    ),
  ]);
  return table(['step', ...sides.map(({ name }) => `${name}: operations (commands) per order`)], rows);
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, stores, hello, queries, pipeline, fanout, profile, scale } = results;
  const out: string[] = [
    '# Benchmark results',
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.commit}, ${machine.at}. ` +
      'Every server (Kafka, FerretDB, Redis, the GraphQL server, the processor) and the load generator share this machine. ' +
      'Reproduce with `npm run bench`.',
    '',
  ];
  const targets: (string | number)[][] = [];

  if (stores) {
    const byId = perOrder(stores.mongoInsertPerSec!, stores.mongoUpdateByIdPerSec!);
    const conditional = perOrder(stores.mongoInsertPerSec!, stores.mongoConditionalUpdatePerSec!);
    out.push(
      '## The stores on their own',
      '',
      table(
        ['measure', 'per second'],
        [
          ['MongoDB-wire insert', num(stores.mongoInsertPerSec)],
          ['MongoDB-wire update by _id', num(stores.mongoUpdateByIdPerSec)],
          [
            `MongoDB-wire conditional update ({_id, status}, ${num(stores.mongoDocuments)} documents)`,
            num(stores.mongoConditionalUpdatePerSec),
          ],
          ['one insert + one update by _id per order', num(byId)],
          ['one insert + one conditional update per order', num(conditional)],
          ['Redis PUBLISH', num(stores.redisPublishPerSec)],
          ['Kafka produce (one message per send, acks all)', num(stores.kafkaProducePerSec)],
          ['Kafka consume', num(stores.kafkaConsumePerSec)],
        ],
      ),
      '',
      'FerretDB 1.24 on SQLite uses an index only for a filter that is exactly `{_id: value}`; a conditional update ' +
        'reads the whole collection, which is why this system claims decisions by inserting and updates by `_id` only.',
      '',
    );
  }

  if (hello) {
    out.push(
      '## HTTP floor: `{ __typename }`',
      '',
      table(
        ['server', 'req/s', 'p50 ms', 'p99 ms'],
        [
          ['GraphQL (Yoga)', num(hello.graphql.requestsPerSec), hello.graphql.p50, hello.graphql.p99],
          ['node:http, same bytes', num(hello.nodeHttp.requestsPerSec), hello.nodeHttp.p50, hello.nodeHttp.p99],
        ],
      ),
      '',
      `GraphQL / node:http = **${hello.graphqlToNodeHttp}×**.`,
      '',
    );
  }

  if (queries) {
    // A baseline that completed no request has no rate to divide by (and its ratio is null in JSON).
    const ratioValue = queries.graphqlToRestRatio ?? Number.POSITIVE_INFINITY;
    const restCompleted = queries.restOrders.requestsPerSec > 0;
    const restRatio = restCompleted ? `${ratioValue}×` : 'unmeasured: the baseline completed no request';
    const half = queries.graphqlOrdersAtHalfPeak;
    out.push(
      `## Queries (${num(queries.orders)} orders, ${queries.connections} connections)`,
      '',
      table(
        ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
        [
          [
            'GraphQL `orders(status: [PROCESSED], first: 20)`',
            num(queries.graphqlOrders.requestsPerSec),
            queries.graphqlOrders.p50,
            queries.graphqlOrders.p99,
            queries.graphqlOrders.errors,
          ],
          [
            'REST baseline `GET /api/orders?status=PROCESSED` (Express + mongoose)',
            num(queries.restOrders.requestsPerSec),
            queries.restOrders.p50,
            queries.restOrders.p99,
            queries.restOrders.errors,
          ],
          [
            'GraphQL `orderStats`',
            num(queries.graphqlStats.requestsPerSec),
            queries.graphqlStats.p50,
            queries.graphqlStats.p99,
            queries.graphqlStats.errors,
          ],
          ['GraphQL `orders` at half its peak rate', num(half.requestsPerSec), half.p50, half.p99, half.errors],
        ],
      ),
      '',
      `GraphQL / REST = **${restRatio}**. Both list from the same order index in Redis (the ids of a page of 20), ` +
        'then take each order through the same bounded cache (read by `_id` in FerretDB unless the version the ' +
        'index lists is held): the ratio is the cost of the API layer, GraphQL against Express + mongoose.',
      '',
    );
    targets.push(['queries: at least 1.0× the REST baseline', restRatio, mark(restCompleted && ratioValue >= 1)]);
    targets.push(['queries: p99 under 50 ms at half the peak rate', `${half.p99} ms`, mark(half.p99 < 50)]);
  }

  if (pipeline) {
    out.push(
      '## Pipeline: createOrder to the final status on a graphql-ws subscriber',
      '',
      'Open-loop load for a fixed time, processing delay 0, one server and one processor. Latencies in ms; CPU in seconds per 1,000 orders, per process.',
      '',
      table(PIPELINE_HEAD, [
        ...pipeline.ladder.map(pipelineRow),
        ...(pipeline.latencyRun ? [pipelineRow(pipeline.latencyRun)] : []),
      ]),
      '',
      `Highest sustained rate: **${pipeline.highestSustained} orders/s** (every order finished, final states at 95% of the offered rate or more).`,
      '',
      'Database operations are counted on the wire, per process, by a proxy in front of the MongoDB-wire server (bench/lib/db-operations.ts): each document inserted, each update statement and each query; commands are the round trips that carry them.',
      '',
      '![Pipeline latency and throughput by offered rate](pipeline.svg)',
      '',
    );
    if (pipeline.against) {
      const other = pipeline.against;
      const ratio = other.highestSustained > 0 ? pipeline.highestSustained / other.highestSustained : undefined;
      out.push(
        `### Side by side with ${other.commit}, alternated in this run`,
        '',
        `The same search for the highest sustained rate, on a checkout of ${other.commit} (\`npm run bench -- pipeline --against ${other.commit}\`), each rate run on both sides one after the other, the side that goes first changing every round.`,
        '',
        table(PIPELINE_HEAD, [
          ...other.ladder.map(pipelineRow),
          ...(other.latencyRun ? [pipelineRow(other.latencyRun)] : []),
        ]),
        '',
        `Highest sustained: **${pipeline.highestSustained}/s** against **${other.highestSustained}/s**: **${ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`}**.`,
        '',
        operationSteps([
          { name: 'this', run: sustainedRun(pipeline) },
          { name: other.commit, run: sustainedRun(other) },
        ]),
        '',
      );
      targets.push([
        `pipeline: at least 2.0× the sustained rate of ${other.commit}, side by side`,
        ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`,
        mark(ratio !== undefined && ratio >= 2),
      ]);
    }
    const counted = sustainedRun(pipeline)?.dbPerOrder;
    if (counted) {
      targets.push([
        'pipeline: at most 3.5 database operations per order, counted on the wire',
        `${counted.operations}`,
        mark(counted.operations <= 3.5),
      ]);
    }
    const best = pipeline.highestSustained;
    targets.push(['pipeline: at least 280 orders/s sustained', `${best}/s`, mark(best >= 280)]);
    if (stores) {
      const byId = perOrder(stores.mongoInsertPerSec!, stores.mongoUpdateByIdPerSec!);
      const conditional = perOrder(stores.mongoInsertPerSec!, stores.mongoConditionalUpdatePerSec!);
      targets.push([
        `pipeline: 70% of the ceiling for one insert + one conditional update (${num(conditional)}/s)`,
        `${Math.round((best / conditional) * 100)}%`,
        mark(best >= 0.7 * conditional),
      ]);
      targets.push([
        `pipeline: 70% of the ceiling for one insert + one update by _id (${num(byId)}/s), the stricter reading`,
        `${Math.round((best / byId) * 100)}%`,
        mark(best >= 0.7 * byId),
      ]);
    }
    if (pipeline.latencyRun) {
      const run = pipeline.latencyRun;
      targets.push([
        `pipeline: p99 createOrder → subscriber under 250 ms at ${run.offeredRate}/s`,
        `${run.toSubscriber.p99} ms`,
        mark(run.toSubscriber.p99 < 250 && run.finished === run.sent),
      ]);
    }
  }

  if (fanout && fanout.length > 0) {
    out.push(
      '## Fan-out: graphql-ws subscribers on one server, against a raw `ws` broadcast of the same frames',
      '',
      table(
        [
          'subscribers',
          'delivered',
          'GraphQL p50 / p99 / max ms',
          'raw ws p50 / p99 ms',
          'GraphQL KB per connection',
          'raw ws KB per connection',
          'CPU µs per delivery (GraphQL / raw)',
          'ratio',
        ],
        fanout.map((f) => [
          num(f.graphql.subscribers),
          `${num(f.graphql.delivered)}/${num(f.graphql.events * f.graphql.subscribers)}`,
          `${f.graphql.latency.p50} / ${f.graphql.latency.p99} / ${f.graphql.latency.max}`,
          `${f.rawWs.latency.p50} / ${f.rawWs.latency.p99}`,
          f.graphql.memoryPerConnectionKb,
          f.rawWs.memoryPerConnectionKb,
          `${f.graphql.cpuPerDeliveryMicros} / ${f.rawWs.cpuPerDeliveryMicros}`,
          `${f.cpuRatio}×`,
        ]),
      ),
      '',
      'Subscribers of the same operation and variables share one execution per event, serialised once; each still gets its own frame (with its subscription id).',
      '',
    );
    const largest = fanout.at(-1)!;
    const n = num(largest.graphql.subscribers);
    targets.push([
      `fan-out: p99 under 200 ms at ${n} subscribers`,
      `${largest.graphql.latency.p99} ms`,
      mark(
        largest.graphql.latency.p99 < 200 &&
          largest.graphql.delivered === largest.graphql.events * largest.graphql.subscribers,
      ),
    ]);
    targets.push([
      `fan-out: under 25 KB per connection at ${n}`,
      `${largest.graphql.memoryPerConnectionKb} KB`,
      mark(largest.graphql.memoryPerConnectionKb < 25),
    ]);
    targets.push([
      `fan-out: CPU per delivery at most 3× raw ws at ${n}`,
      `${largest.cpuRatio}×`,
      mark(largest.cpuRatio <= 3),
    ]);
  }

  if (profile) {
    const costs = (list: { name: string; percent: number }[], count: number) =>
      list
        .slice(0, count)
        .map((cost) => `${cost.name.replaceAll('|', '/')} ${cost.percent}%`)
        .join(', ');
    out.push(
      `## Where the time goes (CPU profile at ${profile.rate} orders/s)`,
      '',
      table(
        ['process', 'idle', 'self time by package', 'costliest functions (self time)'],
        (['server', 'processor'] as const).map((name) => [
          name,
          `${profile[name].idlePercent}%`,
          costs(profile[name].topPackages, 8),
          costs(profile[name].topFunctions, 5),
        ]),
      ),
      '',
      '`(native)` is time in system calls and V8 built-ins: mostly socket writes to the stores (`writeBuffer`, `writev`). On two shared cores a ' +
        'busy machine also shows up there, as time the thread waited to run again.',
      '',
    );
  }

  if (scale && scale.sizes.length > 0) out.push(...scaleSection(scale, targets));

  if (targets.length > 0) out.push('## Targets', '', table(['target', 'measured', ''], targets), '');
  return `${out.join('\n')}\n`;
}

/** The scale part: each figure per size against its target, and how it grew from the smallest size to the largest. */
function scaleSection(scale: ScaleResult, targets: (string | number)[][]): string[] {
  const { sizes, targets: t } = scale;
  const largest = sizes.at(-1)!;
  const smallest = sizes[0]!;
  const growth = (of: (size: ScaleSize) => number) => {
    const a = of(smallest);
    const b = of(largest);
    return sizes.length < 2 || !(a > 0) ? '' : `${Math.round((b / a) * 100) / 100}×`;
  };
  const load = (r: LoadResult) => `${r.p99} ms (${num(r.requestsPerSec)} req/s)`;
  type Line = {
    measure: string;
    target: string;
    figure: (size: ScaleSize) => string;
    value: (size: ScaleSize) => number;
    met: (size: ScaleSize) => boolean;
  };
  /** A query's p99 under load against its target, with no request failing. */
  const p99Row = (
    measure: string,
    targetMs: number,
    of: (size: ScaleSize) => LoadResult,
    figure = (size: ScaleSize) => load(of(size)),
  ): Line => ({
    measure,
    target: `< ${targetMs} ms`,
    figure,
    value: (size) => of(size).p99,
    met: (size) => of(size).p99 < targetMs && of(size).errors === 0,
  });
  const lines: Line[] = [
    {
      measure: 'orders written into MongoDB (insertMany, 4 batches of 1,000 at once)',
      target: '',
      figure: (s) => `${s.insert.seconds} s (${num(s.insert.perSec)}/s)`,
      value: (s) => s.insert.seconds,
      met: () => true,
    },
    {
      measure: '`npm run reindex`',
      target: `< ${t.reindexSeconds / 60} min`,
      figure: (s) =>
        s.reindex.toolError === undefined
          ? `${s.reindex.seconds} s (${num(s.reindex.perSec)}/s; the rebuild itself ${s.reindex.rebuildSeconds} s)`
          : `the tool failed (${s.reindex.toolError.replaceAll('|', '/')}); rebuildIndex in the bench: ${s.reindex.seconds} s, its first 10,000 orders ${s.reindex.firstTenThousandSeconds ?? 'n/a'} s`,
      value: (s) => s.reindex.seconds,
      met: (s) => s.reindex.toolError === undefined && s.reindex.seconds < t.reindexSeconds,
    },
    {
      measure: 'Redis memory of the index per order (used_memory after − before)',
      target: `≤ ${t.redisBytesPerOrder} B`,
      figure: (s) => `${s.redis.bytesPerOrder} B`,
      value: (s) => s.redis.bytesPerOrder,
      met: (s) => s.redis.bytesPerOrder <= t.redisBytesPerOrder,
    },
    {
      measure: 'server start to `GET /ready` 200 (topics there)',
      target: `< ${t.startToReadyMs / 1000} s`,
      figure: (s) => `${num(s.startToReadyMs)} ms (first start, creating the topics: ${num(s.firstStartToReadyMs)} ms)`,
      value: (s) => s.startToReadyMs,
      met: (s) => s.startToReadyMs < t.startToReadyMs,
    },
    {
      measure: 'server RSS after the query load',
      target: `< ${t.serverRssMb} MB`,
      figure: (s) => `${s.serverRssMb} MB (${s.serverRssAtReadyMb} MB once ready)`,
      value: (s) => s.serverRssMb,
      met: (s) => s.serverRssMb < t.serverRssMb,
    },
    p99Row('`orders(status: [PROCESSED], first: 20)` p99', t.firstPageP99Ms, (s) => s.firstPage),
    p99Row(
      'the same, `after:` a cursor deep in the list, p99',
      t.deepPageP99Ms,
      (s) => s.deepPage,
      (s) => `${load(s.deepPage)}, ${num(s.deepPageDepth)} deep`,
    ),
    p99Row('`orderStats` (with `perMinute`) p99', t.statsP99Ms, (s) => s.stats),
    {
      measure: '`orderStatusChanged(after:)` 1,000 changes back: subscribing to the first missed change, p99',
      target: `< ${t.resumeFirstP99Ms} ms`,
      figure: (s) =>
        `${s.resume.toFirst.p99} ms (p50 ${s.resume.toFirst.p50}; all ${num(s.resume.changesBack)}: p99 ${s.resume.toAll.p99} ms; ` +
        `${s.resume.subscriptions} subscriptions${s.resume.incomplete > 0 ? `, ${s.resume.incomplete} incomplete` : ''})`,
      value: (s) => s.resume.toFirst.p99,
      met: (s) => s.resume.toFirst.p99 < t.resumeFirstP99Ms && s.resume.incomplete === 0,
    },
  ];
  const head = ['measure', 'target', ...sizes.map((s) => `${num(s.orders)} orders`), 'growth', ''];
  for (const line of lines.filter((l) => l.target !== '')) {
    targets.push([
      `scale: ${line.measure.split(' (')[0]} ${line.target} at ${num(largest.orders)} orders`,
      line.figure(largest),
      mark(line.met(largest)),
    ]);
  }
  const rows = lines.map((line) => {
    const missed = line.target !== '' ? sizes.filter((s) => !line.met(s)).map((s) => num(s.orders)) : [];
    const verdict = line.target === '' ? '' : missed.length === 0 ? 'met' : `**missed** at ${missed.join(', ')}`;
    return [line.measure, line.target, ...sizes.map(line.figure), growth(line.value), verdict];
  });
  const cpu = sizes
    .map(
      (s) =>
        `${num(s.orders)}: ` +
        Object.entries(s.firstPageCpuMsPerRequest)
          .map(([name, ms]) => `${name} ${ms}`)
          .join(', '),
    )
    .join('; ');
  const reindexCpu = sizes
    .map(
      (s) =>
        `${num(s.orders)}: ` +
        Object.entries(s.reindex.cpuSeconds)
          .map(([name, seconds]) => `${name} ${seconds} s`)
          .join(', '),
    )
    .join('; ');
  return [
    `## Scale: the server over ${sizes.map((s) => num(s.orders)).join(' and ')} orders`,
    '',
    `Each size on a database and topic prefix of its own: orders written straight into MongoDB, indexed by \`npm run reindex\`, ` +
      `then one server; queries under closed-loop load, ${scale.connections} connections for ${scale.seconds} s each; ` +
      'the resume from a cursor once a processor has decided 1,200 orders created through `createOrder`. ' +
      "Growth is the largest size's figure over the smallest's.",
    '',
    table(head, rows),
    '',
    `CPU ms per request of the first-page load, by process: ${cpu}. ` +
      `CPU of the stores' servers during the reindex: ${reindexCpu}.`,
    '',
  ];
}

/** Latency p50 and p99 to the subscriber (bars, left axis) and final states per second (line, right axis) by offered rate. */
export function renderPipelineChart(section: PipelineSection): string {
  const runs = section.ladder;
  const width = 640;
  const height = 320;
  const pad = { left: 60, right: 60, top: 30, bottom: 50 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxLatency = Math.max(1, ...runs.map((r) => r.toSubscriber.p99));
  const maxRate = Math.max(1, ...runs.map((r) => Math.max(r.offeredRate, r.finalPerSec)));
  const slot = plotW / Math.max(1, runs.length);
  const y = (value: number, max: number) => pad.top + plotH - (value / max) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${pad.left}" y="18" font-size="13">Pipeline: latency to the subscriber (ms, bars) and final states/s (line)</text>`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#333"/>`,
    `<text x="10" y="${pad.top + 10}">${Math.round(maxLatency)} ms</text>`,
    `<text x="${width - pad.right + 5}" y="${pad.top + 10}">${Math.round(maxRate)}/s</text>`,
  ];
  const points: string[] = [];
  runs.forEach((r, i) => {
    const x = pad.left + i * slot + slot * 0.2;
    const barW = slot * 0.28;
    for (const [offset, value, colour] of [
      [0, r.toSubscriber.p50, '#4caf50'],
      [barW, r.toSubscriber.p99, '#ff9800'],
    ] as const) {
      const top = y(value, maxLatency);
      parts.push(
        `<rect x="${x + offset}" y="${top}" width="${barW}" height="${pad.top + plotH - top}" fill="${colour}"/>`,
      );
    }
    parts.push(`<text x="${x}" y="${pad.top + plotH + 16}">${r.offeredRate}/s</text>`);
    points.push(`${pad.left + i * slot + slot / 2},${y(r.finalPerSec, maxRate)}`);
  });
  parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#1976d2" stroke-width="2"/>`);
  parts.push(
    `<text x="${pad.left}" y="${height - 10}"><tspan fill="#4caf50">■ p50</tspan>  <tspan fill="#ff9800">■ p99</tspan>  <tspan fill="#1976d2">— final states/s</tspan>  (offered rate below each group)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
