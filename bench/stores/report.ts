/** The stores' own rates as a table, and the ceilings they set for an order's writes. */
import { num, table, type Report } from '../lib/report.ts';

export type StoresResult = Record<string, number>;

/** Orders per second one insert plus one update per order allow, given each's own ceiling. */
const perOrder = (insert: number, update: number) => Math.round(1 / (1 / insert + 1 / update));

/** The ceilings an order's two writes allow: one insert and one update by `_id`, or one conditional update. */
export function writeCeilings(stores: StoresResult): { byId: number; conditional: number } {
  return {
    byId: perOrder(stores.mongoInsertPerSec!, stores.mongoUpdateByIdPerSec!),
    conditional: perOrder(stores.mongoInsertPerSec!, stores.mongoConditionalUpdatePerSec!),
  };
}

export function storesReport(stores: StoresResult): Report {
  const { byId, conditional } = writeCeilings(stores);
  const section = [
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
  ];
  return { section, targets: [] };
}
