/**
 * Order statistics: counts per status and a per-minute series of created,
 * processed and failed orders for the dashboard's charts.
 */
import mongoose from 'mongoose';
import { ORDER_STATUSES, type Models, type OrderStatus } from '@orders/core';

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

const MINUTE = 60_000;

export async function computeOrderStats(models: Models, now = new Date()): Promise<OrderStats> {
  const firstMinute = Math.floor(now.getTime() / MINUTE) * MINUTE - (SERIES_MINUTES - 1) * MINUTE;
  const since = new Date(firstMinute);
  const [groups, recent] = await Promise.all([
    models.Order.aggregate<{ _id: OrderStatus; count: number }>([{ $group: { _id: '$status', count: { $sum: 1 } } }]),
    models.Order.find(
      { updatedAt: mongoose.trusted({ $gte: since }) },
      { createdAt: 1, processedAt: 1, failedAt: 1, _id: 0 },
    ).lean(),
  ]);
  const counts = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Record<OrderStatus, number>;
  for (const group of groups) counts[group._id] = group.count;

  const perMinute: MinuteStats[] = Array.from({ length: SERIES_MINUTES }, (_, i) => ({
    at: new Date(firstMinute + i * MINUTE),
    created: 0,
    processed: 0,
    failed: 0,
  }));
  const bucket = (date: Date | null | undefined) => {
    if (!date) return undefined;
    return perMinute[Math.floor((date.getTime() - firstMinute) / MINUTE)];
  };
  for (const order of recent) {
    const created = bucket(order.createdAt);
    if (created) created.created += 1;
    const processed = bucket(order.processedAt);
    if (processed) processed.processed += 1;
    const failed = bucket(order.failedAt);
    if (failed) failed.failed += 1;
  }
  const total = ORDER_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  return { total, counts, perMinute, at: now };
}
