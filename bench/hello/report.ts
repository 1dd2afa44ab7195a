/** The HTTP floor as a table: GraphQL against node:http. */
import { num, table, type Report } from '../lib/report.ts';
import type { HelloResult } from './hello.ts';

export function helloReport(hello: HelloResult): Report {
  const section = [
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
  ];
  return { section, targets: [] };
}
