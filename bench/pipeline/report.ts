/** The pipeline benchmark as tables (each rate run, the other commit's side by side), with its targets. */
import { mark, num, table, type Report, type Target } from '../lib/report.ts';
import { writeCeilings, type StoresResult } from '../stores/report.ts';
import type { PipelineResult } from './pipeline.ts';
import type { PipelineSection, PipelineSide } from './search.ts';

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

/** A side's runs, its ladder then its latency run. */
const sideTable = (side: PipelineSide) =>
  table(PIPELINE_HEAD, [...side.ladder.map(pipelineRow), ...(side.latencyRun ? [pipelineRow(side.latencyRun)] : [])]);

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

/** This commit against another's, alternated in the same run. */
function againstReport(pipeline: PipelineSection, other: NonNullable<PipelineSection['against']>): Report {
  const ratio = other.highestSustained > 0 ? pipeline.highestSustained / other.highestSustained : undefined;
  const shown = ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`;
  const section = [
    `### Side by side with ${other.commit}, alternated in this run`,
    '',
    `The same search for the highest sustained rate, on a checkout of ${other.commit} (\`npm run bench -- pipeline --against ${other.commit}${pipeline.paymentsLatency ? ` --payments-latency ${pipeline.paymentsLatency}` : ''}\`), each rate run on both sides one after the other, the side that goes first changing every round${pipeline.paymentsLatency ? `, both paying through one payment service whose authorizations take ${pipeline.paymentsLatency.replace('/', ' ms at the median and ')} ms at the 99th percentile` : ''}.`,
    '',
    sideTable(other),
    '',
    `Highest sustained: **${pipeline.highestSustained}/s** against **${other.highestSustained}/s**: **${shown}**.`,
    '',
    operationSteps([
      { name: 'this', run: sustainedRun(pipeline) },
      { name: other.commit, run: sustainedRun(other) },
    ]),
    '',
  ];
  const target: Target = [
    `pipeline: at least 2.0× the sustained rate of ${other.commit}, side by side`,
    shown,
    mark(ratio !== undefined && ratio >= 2),
  ];
  return { section, targets: [target] };
}

/** The targets of the sustained rate, its database operations and its latency; the stores' ceilings when measured. */
function pipelineTargets(pipeline: PipelineSection, stores: StoresResult | undefined): Target[] {
  const targets: Target[] = [];
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
    const { byId, conditional } = writeCeilings(stores);
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
  const run = pipeline.latencyRun;
  if (run) {
    targets.push([
      `pipeline: p99 createOrder → subscriber under 250 ms at ${run.offeredRate}/s`,
      `${run.toSubscriber.p99} ms`,
      mark(run.toSubscriber.p99 < 250 && run.finished === run.sent),
    ]);
  }
  return targets;
}

export function pipelineReport(pipeline: PipelineSection, stores?: StoresResult): Report {
  const section = [
    '## Pipeline: createOrder to the final status on a graphql-ws subscriber',
    '',
    'Open-loop load for a fixed time, processing delay 0, one server and one processor. Latencies in ms; CPU in seconds per 1,000 orders, per process.',
    '',
    sideTable(pipeline),
    '',
    `Highest sustained rate: **${pipeline.highestSustained} orders/s** (every order finished, final states at 95% of the offered rate or more).`,
    '',
    'Database operations are counted on the wire, per process, by a proxy in front of the MongoDB-wire server (bench/lib/db-operations.ts): each document inserted, each update statement and each query; commands are the round trips that carry them.',
    '',
    '![Pipeline latency and throughput by offered rate](pipeline.svg)',
    '',
  ];
  const against = pipeline.against ? againstReport(pipeline, pipeline.against) : { section: [], targets: [] };
  return {
    section: [...section, ...against.section],
    targets: [...against.targets, ...pipelineTargets(pipeline, stores)],
  };
}
