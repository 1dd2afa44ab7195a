/**
 * Order statistics: counts per status and a per-minute series of created,
 * processed and failed orders for the dashboard's charts, read from the order
 * index in one round trip (set sizes and per-minute counters: no scan).
 */
import { ORDER_STATUSES, STATS_WINDOW_MINUTES, type OrderIndex, type OrderStatus } from '@orders/core';

export const SERIES_MINUTES = STATS_WINDOW_MINUTES;

export interface MinuteStats {
  at: Date;
  created: number;
  processed: number;
  failed: number;
}

export interface OrderStats {
  total: number;
  counts: Record<OrderStatus, number>;
  perMinute: MinuteStats[];
  at: Date;
}

export async function computeOrderStats(index: OrderIndex, now = new Date()): Promise<OrderStats> {
  const { counts, perMinute } = await index.statistics(now, SERIES_MINUTES);
  const total = ORDER_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  return { total, counts, perMinute, at: now };
}
