/** An order's status as a colour-coded chip: PENDING amber, PROCESSED green, FAILED red. */
import Chip from '@mui/material/Chip';
import type { OrderStatus } from '../gql/graphql.ts';

export const STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  PROCESSED: 'Processed',
  FAILED: 'Failed',
};

export const STATUS_COLOR: Record<OrderStatus, { main: string; soft: string; text: string }> = {
  PENDING: { main: '#f59e0b', soft: 'rgba(245, 158, 11, 0.16)', text: '#92400e' },
  PROCESSED: { main: '#16a34a', soft: 'rgba(22, 163, 74, 0.14)', text: '#14532d' },
  FAILED: { main: '#dc2626', soft: 'rgba(220, 38, 38, 0.14)', text: '#7f1d1d' },
};

export function OrderStatusChip({ status, size = 'small' }: { status: OrderStatus; size?: 'small' | 'medium' }) {
  const color = STATUS_COLOR[status];
  return (
    <Chip
      size={size}
      label={STATUS_LABEL[status]}
      data-status={status}
      icon={
        <span
          aria-hidden
          style={{ width: 8, height: 8, borderRadius: '50%', background: color.main, marginLeft: 8, flex: 'none' }}
        />
      }
      sx={(theme) => ({
        fontWeight: 600,
        bgcolor: color.soft,
        color: color.text,
        border: `1px solid ${color.main}`,
        ...theme.applyStyles('dark', { color: color.main }),
        animation: 'status-pop 300ms ease-out',
        '@keyframes status-pop': {
          from: { transform: 'scale(0.92)', opacity: 0.7 },
          to: { transform: 'scale(1)', opacity: 1 },
        },
      })}
    />
  );
}
