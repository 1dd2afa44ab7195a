/** The fan-out benchmark as a table, graphql-ws against a raw ws broadcast, with its targets at the largest count. */
import { mark, num, table, type Report } from '../lib/report.ts';
import type { FanoutResult } from './fanout.ts';

const HEAD = [
  'subscribers',
  'delivered',
  'GraphQL p50 / p99 / max ms',
  'raw ws p50 / p99 ms',
  'GraphQL KB per connection',
  'raw ws KB per connection',
  'CPU µs per delivery (GraphQL / raw)',
  'ratio',
];

const fanoutRow = (f: FanoutResult) => [
  num(f.graphql.subscribers),
  `${num(f.graphql.delivered)}/${num(f.graphql.events * f.graphql.subscribers)}`,
  `${f.graphql.latency.p50} / ${f.graphql.latency.p99} / ${f.graphql.latency.max}`,
  `${f.rawWs.latency.p50} / ${f.rawWs.latency.p99}`,
  f.graphql.memoryPerConnectionKb,
  f.rawWs.memoryPerConnectionKb,
  `${f.graphql.cpuPerDeliveryMicros} / ${f.rawWs.cpuPerDeliveryMicros}`,
  `${f.cpuRatio}×`,
];

export function fanoutReport(fanout: FanoutResult[]): Report {
  const largest = fanout.at(-1);
  if (!largest) return { section: [], targets: [] };
  const section = [
    '## Fan-out: graphql-ws subscribers on one server, against a raw `ws` broadcast of the same frames',
    '',
    table(HEAD, fanout.map(fanoutRow)),
    '',
    'Subscribers of the same operation and variables share one execution per event, serialised once; each still gets its own frame (with its subscription id).',
    '',
  ];
  const n = num(largest.graphql.subscribers);
  const { graphql } = largest;
  return {
    section,
    targets: [
      [
        `fan-out: p99 under 200 ms at ${n} subscribers`,
        `${graphql.latency.p99} ms`,
        mark(graphql.latency.p99 < 200 && graphql.delivered === graphql.events * graphql.subscribers),
      ],
      [
        `fan-out: under 25 KB per connection at ${n}`,
        `${graphql.memoryPerConnectionKb} KB`,
        mark(graphql.memoryPerConnectionKb < 25),
      ],
      [`fan-out: CPU per delivery at most 3× raw ws at ${n}`, `${largest.cpuRatio}×`, mark(largest.cpuRatio <= 3)],
    ],
  };
}
