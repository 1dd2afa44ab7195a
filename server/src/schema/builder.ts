/** The Pothos builder: plugins, the Context and the scalars. It defines no types. */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.ts';
import { orderIdFromGlobalId } from './ids.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
  /** Counted only when a client asks for totalCount. */
  Connection: { totalCount: () => number | Promise<number> };
  DefaultEdgesNullability: false;
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    edgesFieldOptions: { nullable: false },
    nodesOnConnection: true,
    // node(id:) and nodes(ids:): an id that is not one this API gave out is the client's error
    // (BAD_USER_INPUT), not a failure of the server. Orders are the only nodes.
    decodeGlobalID: (globalID) => ({ typename: 'Order', id: orderIdFromGlobalId(globalID) }),
    nodeQueryOptions: {
      description: 'The order with this id, or null when there is none you may see. A malformed id is BAD_USER_INPUT.',
    },
    nodesQueryOptions: {
      description:
        'The orders with these ids, in their order, null for those you may not see. At most NODES_MAX_IDS ids ' +
        '(100 by default; TOO_MANY_IDS beyond), each counted by the cost limit; a malformed id is BAD_USER_INPUT.',
    },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO-8601 string in UTC, e.g. "2026-11-24T06:00:00.000Z".',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(date.getTime()))
      throw new TypeError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)}`);
    return date;
  },
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({ description: 'How many items match, across all pages.', resolve: (parent) => parent.totalCount() }),
);
