/** The scale benchmark: each figure per size against its target, and how it grew from the smallest size to the largest. */
import type { LoadResult } from '../lib/load.ts';
import { mark, num, table, type Report, type Target } from '../lib/report.ts';
import type { SCALE_TARGETS, ScaleResult, ScaleSize } from './result.ts';

type Targets = typeof SCALE_TARGETS;

/** One measure: its target (empty when it has none), its figure and value per size, and whether a size met it. */
interface Line {
  measure: string;
  target: string;
  figure: (size: ScaleSize) => string;
  value: (size: ScaleSize) => number;
  met: (size: ScaleSize) => boolean;
}

const load = (r: LoadResult) => `${r.p99} ms (${num(r.requestsPerSec)} req/s)`;

/** A query's p99 under load against its target, with no request failing. */
const p99Line = (
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

/** Writing the orders and indexing them. */
const writeLines = (t: Targets): Line[] => [
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
];

/** The server on the orders: its start, its memory, its queries and a resume from a cursor. */
const serverLines = (t: Targets): Line[] => [
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
  p99Line('`orders(status: [PROCESSED], first: 20)` p99', t.firstPageP99Ms, (s) => s.firstPage),
  p99Line(
    'the same, `after:` a cursor deep in the list, p99',
    t.deepPageP99Ms,
    (s) => s.deepPage,
    (s) => `${load(s.deepPage)}, ${num(s.deepPageDepth)} deep`,
  ),
  p99Line('`orderStats` (with `perMinute`) p99', t.statsP99Ms, (s) => s.stats),
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

/** Per size, `name figure` for each process: `100,000: server 1.2, redis 0.3; ...`. */
const perProcess = (sizes: ScaleSize[], of: (size: ScaleSize) => Record<string, number>, unit = '') =>
  sizes
    .map(
      (s) =>
        `${num(s.orders)}: ` +
        Object.entries(of(s))
          .map(([name, value]) => `${name} ${value}${unit}`)
          .join(', '),
    )
    .join('; ');

/** The measures as rows, one column per size, with their growth and the sizes that missed. */
function rowsOf(lines: Line[], sizes: ScaleSize[]): (string | number)[][] {
  const smallest = sizes[0]!;
  const largest = sizes.at(-1)!;
  const growth = (of: (size: ScaleSize) => number) => {
    const a = of(smallest);
    const b = of(largest);
    return sizes.length < 2 || !(a > 0) ? '' : `${Math.round((b / a) * 100) / 100}×`;
  };
  return lines.map((line) => {
    const missed = line.target !== '' ? sizes.filter((s) => !line.met(s)).map((s) => num(s.orders)) : [];
    const verdict = line.target === '' ? '' : missed.length === 0 ? 'met' : `**missed** at ${missed.join(', ')}`;
    return [line.measure, line.target, ...sizes.map(line.figure), growth(line.value), verdict];
  });
}

export function scaleReport(scale: ScaleResult): Report {
  const { sizes } = scale;
  const largest = sizes.at(-1);
  if (!largest) return { section: [], targets: [] };
  const lines = [...writeLines(scale.targets), ...serverLines(scale.targets)];
  const targets: Target[] = lines
    .filter((line) => line.target !== '')
    .map((line) => [
      `scale: ${line.measure.split(' (')[0]} ${line.target} at ${num(largest.orders)} orders`,
      line.figure(largest),
      mark(line.met(largest)),
    ]);
  const head = ['measure', 'target', ...sizes.map((s) => `${num(s.orders)} orders`), 'growth', ''];
  const section = [
    `## Scale: the server over ${sizes.map((s) => num(s.orders)).join(' and ')} orders`,
    '',
    `Each size on a database and topic prefix of its own: orders written straight into MongoDB, indexed by \`npm run reindex\`, ` +
      `then one server; queries under closed-loop load, ${scale.connections} connections for ${scale.seconds} s each; ` +
      'the resume from a cursor once a processor has decided 1,200 orders created through `createOrder`. ' +
      "Growth is the largest size's figure over the smallest's.",
    '',
    table(head, rowsOf(lines, sizes)),
    '',
    `CPU ms per request of the first-page load, by process: ${perProcess(sizes, (s) => s.firstPageCpuMsPerRequest)}. ` +
      `CPU of the stores' servers during the reindex: ${perProcess(sizes, (s) => s.reindex.cpuSeconds, ' s')}.`,
    '',
  ];
  return { section, targets };
}
