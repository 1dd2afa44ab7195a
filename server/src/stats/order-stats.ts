/**
 * Order statistics: counts per status and a per-minute series of created,
 * processed and failed orders for the dashboard's charts.
 */
import { ORDER_STATUSES, type OrderStatus } from '@orders/core';
import type { OrderReadModel } from '../orders/read-model.ts';

export const SERIES_MINUTES = 30;

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

export async function computeOrderStats(readModel: OrderReadModel, now = new Date()): Promise<OrderStats> {
  await readModel.ready();
  const counts = readModel.statusCounts();
  const total = ORDER_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  return { total, counts, perMinute: readModel.perMinute(now, SERIES_MINUTES), at: now };
}
