/** Order statistics: counts per status and orders per minute, as a query and a live subscription. */
import type { MinuteStats, OrderStats as Stats } from '../stats/order-stats.ts';
import { computeOrderStats } from '../stats/order-stats.ts';
import { operatorsOnly } from '../auth/access.ts';
import { builder } from './builder.ts';

const OrderStatsMinute = builder.objectRef<MinuteStats>('OrderStatsMinute').implement({
  description: 'What happened to orders in one minute.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'The start of the minute.', resolve: (m) => m.at }),
    created: t.exposeInt('created'),
    processed: t.exposeInt('processed'),
    failed: t.exposeInt('failed'),
  }),
});

const OrderStats = builder.objectRef<Stats>('OrderStats').implement({
  description: 'How many orders there are in each status, and the last 30 minutes minute by minute.',
  fields: (t) => ({
    total: t.exposeInt('total'),
    pending: t.int({ resolve: (s) => s.counts.PENDING }),
    processed: t.int({ resolve: (s) => s.counts.PROCESSED }),
    failed: t.int({ resolve: (s) => s.counts.FAILED }),
    successRate: t.float({
      nullable: true,
      description: 'PROCESSED / (PROCESSED + FAILED), from 0 to 1; null before any order is decided.',
      resolve: (s) => {
        const decided = s.counts.PROCESSED + s.counts.FAILED;
        return decided === 0 ? null : s.counts.PROCESSED / decided;
      },
    }),
    perMinute: t.field({ type: [OrderStatsMinute], resolve: (s) => s.perMinute }),
    at: t.field({ type: 'DateTime', description: 'When these figures were read.', resolve: (s) => s.at }),
  }),
});

builder.queryField('orderStats', (t) =>
  t.field({
    type: OrderStats,
    description: 'Counts per status and the last minutes of orders. Operators only.',
    resolve: operatorsOnly('read the statistics', (_root, _args, { index }) => computeOrderStats(index)),
  }),
);

builder.subscriptionField('orderStats', (t) =>
  t.field({
    type: OrderStats,
    description: 'The statistics now, then again whenever orders change (a few times a second at most).',
    subscribe: operatorsOnly('follow the statistics', (_root, _args, { stats }) => stats.subscribe()),
    resolve: (s: Stats) => s,
  }),
);
