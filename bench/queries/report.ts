/** The query benchmark as a table, GraphQL against the REST baseline, with its targets. */
import { mark, num, table, type Report } from '../lib/report.ts';
import type { QueriesResult } from './queries.ts';

export function queriesReport(queries: QueriesResult): Report {
  // A baseline that completed no request has no rate to divide by (and its ratio is null in JSON).
  const ratioValue = queries.graphqlToRestRatio ?? Number.POSITIVE_INFINITY;
  const restCompleted = queries.restOrders.requestsPerSec > 0;
  const restRatio = restCompleted ? `${ratioValue}×` : 'unmeasured: the baseline completed no request';
  const half = queries.graphqlOrdersAtHalfPeak;
  const line = (name: string, r: QueriesResult['graphqlOrders']) => [
    name,
    num(r.requestsPerSec),
    r.p50,
    r.p99,
    r.errors,
  ];
  const section = [
    `## Queries (${num(queries.orders)} orders, ${queries.connections} connections)`,
    '',
    table(
      ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
      [
        line('GraphQL `orders(status: [PROCESSED], first: 20)`', queries.graphqlOrders),
        line('REST baseline `GET /api/orders?status=PROCESSED` (Express + mongoose)', queries.restOrders),
        line('GraphQL `orderStats`', queries.graphqlStats),
        line('GraphQL `orders` at half its peak rate', half),
      ],
    ),
    '',
    `GraphQL / REST = **${restRatio}**. Both list from the same order index in Redis (the ids of a page of 20), ` +
      'then take each order through the same bounded cache (read by `_id` in FerretDB unless the version the ' +
      'index lists is held): the ratio is the cost of the API layer, GraphQL against Express + mongoose.',
    '',
  ];
  return {
    section,
    targets: [
      ['queries: at least 1.0× the REST baseline', restRatio, mark(restCompleted && ratioValue >= 1)],
      ['queries: p99 under 50 ms at half the peak rate', `${half.p99} ms`, mark(half.p99 < 50)],
    ],
  };
}
