/** One row of the live order table: order number (opens the drawer), customer, product, quantity, total, status and times. */
import { memo } from 'react';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import Link from '@mui/material/Link';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { OrderStatus } from '../gql/graphql.ts';
import { formatFullTime, formatMoney, formatTime } from './format.ts';
import { isUnconfirmed, type LiveRow } from './live-orders.ts';
import { OrderStatusChip } from './OrderStatusChip.tsx';

const ellipsis = { maxWidth: 180, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } as const;

const timeCell = (iso: string | null | undefined, status: OrderStatus | null = null) =>
  iso ? (
    <Tooltip title={formatFullTime(iso)}>
      <time dateTime={iso} data-kind={status ?? 'created'}>
        {formatTime(iso)}
      </time>
    </Tooltip>
  ) : (
    <Typography component="span" color="text.disabled" aria-label="none">
      —
    </Typography>
  );

export const OrderTableRow = memo(function OrderTableRow({
  row,
  onOpen,
}: {
  row: LiveRow;
  onOpen: (id: string) => void;
}) {
  const { order } = row;
  const unconfirmed = isUnconfirmed(row);
  const open = () => {
    if (!unconfirmed) onOpen(order.id);
  };
  return (
    <TableRow
      hover={!unconfirmed}
      data-order-id={unconfirmed ? undefined : order.id}
      data-order-number={unconfirmed ? undefined : order.orderNumber}
      data-status={order.status}
      onClick={open}
      sx={{ cursor: unconfirmed ? 'default' : 'pointer', opacity: unconfirmed ? 0.6 : 1 }}
    >
      <TableCell sx={{ whiteSpace: 'nowrap', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}>
        {unconfirmed ? (
          <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 1 }}>
            <CircularProgress size={12} aria-hidden /> Saving…
          </Box>
        ) : (
          <Link
            component="button"
            type="button"
            underline="hover"
            aria-label={`Open order ${order.orderNumber}`}
            onClick={(event) => {
              event.stopPropagation();
              open();
            }}
            sx={{ fontFamily: 'inherit', fontWeight: 600 }}
          >
            {order.orderNumber}
          </Link>
        )}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', md: 'table-cell' }, ...ellipsis }} title={order.customer.name}>
        {order.customer.name}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' }, ...ellipsis }} title={order.product.name}>
        {order.product.name}
      </TableCell>
      <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
        {order.quantity}
      </TableCell>
      <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' }, whiteSpace: 'nowrap' }}>
        {formatMoney(order.total)}
      </TableCell>
      <TableCell>
        {order.status === 'FAILED' && order.error ? (
          <Tooltip title={order.error}>
            <span>
              <OrderStatusChip key={order.version} status={order.status} />
            </span>
          </Tooltip>
        ) : (
          <OrderStatusChip key={order.version} status={order.status} />
        )}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', md: 'table-cell' }, whiteSpace: 'nowrap' }}>
        {timeCell(order.createdAt)}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', lg: 'table-cell' }, whiteSpace: 'nowrap' }}>
        {timeCell(order.processedAt, 'PROCESSED')}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', lg: 'table-cell' }, whiteSpace: 'nowrap' }}>
        {timeCell(order.failedAt, 'FAILED')}
      </TableCell>
    </TableRow>
  );
});
