/**
 * One order in a side drawer: its facts, its timeline (every status with its
 * time), its error, and Retry for a FAILED order. Kept current by the
 * `orderUpdated(id)` subscription and reread after a reconnect.
 */
import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { getFragmentData, graphql } from '../gql/index.ts';
import type { OrderDetailDrawer_OrderFragment as OrderDetail } from '../gql/graphql.ts';
import { useCatchUp } from '../graphql/connection-context.tsx';
import { formatFullTime, formatMoney } from './format.ts';
import { useLiveOrdersDispatch } from './LiveOrdersContext.tsx';
import { OrderStatusChip, STATUS_COLOR, STATUS_LABEL } from './OrderStatusChip.tsx';
import { OrderTable_OrderFragment } from './OrderTable.tsx';

export const OrderDetailDrawer_OrderFragment = graphql(`
  fragment OrderDetailDrawer_Order on Order {
    id
    orderNumber
    status
    version
    quantity
    total
    attempts
    error
    createdAt
    updatedAt
    customer {
      id
      name
      email
    }
    product {
      sku
      name
      price
    }
    history {
      version
      status
      previousStatus
      at
      error
    }
  }
`);

const OrderQuery = graphql(`
  query OrderDetailDrawer_OrderQuery($id: ID!) {
    order(id: $id) {
      ...OrderDetailDrawer_Order
    }
  }
`);

const OrderUpdatedSubscription = graphql(`
  subscription OrderDetailDrawer_OrderUpdatedSubscription($id: ID!) {
    orderUpdated(id: $id) {
      ...OrderDetailDrawer_Order
    }
  }
`);

const RetryOrderMutation = graphql(`
  mutation OrderDetailDrawer_RetryOrderMutation($id: ID!) {
    retryOrder(id: $id) {
      ...OrderDetailDrawer_Order
      ...OrderTable_Order
    }
  }
`);

/** The newest of the answers we hold, by version. */
function newest(...candidates: (OrderDetail | null | undefined)[]): OrderDetail | null {
  return candidates.reduce<OrderDetail | null>(
    (best, candidate) => (candidate && (!best || candidate.version > best.version) ? candidate : best),
    null,
  );
}

export function OrderDetailDrawer({ orderId, onClose }: { orderId: string | null; onClose: () => void }) {
  return (
    <Drawer
      anchor="right"
      open={orderId !== null}
      onClose={onClose}
      slotProps={{ paper: { sx: { width: { xs: '100%', sm: 440 } }, 'aria-labelledby': 'order-detail-title' } }}
    >
      {orderId !== null && <OrderDetail key={orderId} orderId={orderId} onClose={onClose} />}
    </Drawer>
  );
}

/** The drawer's title (the order's number, or what stands for it) and its close button. */
function DetailHeader({ children, onClose }: { children: ReactNode; onClose: () => void }) {
  return (
    <Stack direction="row" sx={{ alignItems: 'flex-start', justifyContent: 'space-between', mb: 2 }}>
      <Box>
        <Typography variant="overline" color="text.secondary">
          Order
        </Typography>
        <Typography
          variant="h6"
          component="h2"
          id="order-detail-title"
          sx={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}
        >
          {children}
        </Typography>
      </Box>
      <IconButton aria-label="Close order details" onClick={onClose} edge="end">
        <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden>
          <path
            fill="currentColor"
            d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"
          />
        </svg>
      </IconButton>
    </Stack>
  );
}

function OrderDetail({ orderId, onClose }: { orderId: string; onClose: () => void }) {
  const [query, reexecute] = useQuery({ query: OrderQuery, variables: { id: orderId } });
  const [update] = useSubscription({ query: OrderUpdatedSubscription, variables: { id: orderId } });
  const [retry, retryOrder] = useMutation(RetryOrderMutation);
  const [retried, setRetried] = useState<OrderDetail | null>(null);
  const dispatch = useLiveOrdersDispatch();
  useCatchUp(() => reexecute({ requestPolicy: 'network-only' }));

  const order = newest(
    getFragmentData(OrderDetailDrawer_OrderFragment, query.data?.order),
    getFragmentData(OrderDetailDrawer_OrderFragment, update.data?.orderUpdated),
    retried,
  );

  const onRetry = async () => {
    const result = await retryOrder({ id: orderId });
    if (result.data) {
      setRetried(getFragmentData(OrderDetailDrawer_OrderFragment, result.data.retryOrder));
      dispatch({
        type: 'events',
        events: [{ kind: 'saved', order: getFragmentData(OrderTable_OrderFragment, result.data.retryOrder) }],
      });
    }
  };

  return (
    <Box sx={{ p: 3 }} role="region" aria-label="Order details">
      <DetailHeader onClose={onClose}>
        {order?.orderNumber ?? (query.fetching ? <Skeleton width={200} /> : 'Unknown order')}
      </DetailHeader>

      {query.error && !order && <Alert severity="error">Could not load the order: {query.error.message}</Alert>}
      {!query.fetching && !query.error && !order && (
        <Alert severity="warning">There is no such order. It may belong to another database.</Alert>
      )}
      {!order && query.fetching && <Skeleton variant="rounded" height={240} />}

      {order && (
        <Stack spacing={2}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} aria-live="polite">
            <OrderStatusChip key={order.version} status={order.status} size="medium" />
            <Typography variant="body2" color="text.secondary">
              version {order.version} · {order.attempts} {order.attempts === 1 ? 'attempt' : 'attempts'}
            </Typography>
          </Stack>

          {order.error && (
            <Alert severity="error" variant="outlined">
              {order.error}
            </Alert>
          )}

          {order.status === 'FAILED' && (
            <Box>
              <Button
                variant="contained"
                color="warning"
                onClick={() => void onRetry()}
                disabled={retry.fetching}
                startIcon={retry.fetching ? <CircularProgress size={16} color="inherit" aria-hidden /> : undefined}
              >
                Retry order
              </Button>
            </Box>
          )}
          {retry.error && (
            <Alert severity="error">
              Could not retry: {retry.error.graphQLErrors[0]?.message ?? retry.error.message}
            </Alert>
          )}

          <Divider />
          <Facts order={order} />
          <Divider />
          <Timeline history={order.history} />
        </Stack>
      )}
    </Box>
  );
}

function Facts({ order }: { order: OrderDetail }) {
  const rows: [string, string][] = [
    ['Customer', `${order.customer.name} (${order.customer.email})`],
    ['Product', `${order.product.name} · ${order.product.sku}`],
    ['Quantity', `${order.quantity} × ${formatMoney(order.product.price)}`],
    ['Total', formatMoney(order.total)],
    ['Created', formatFullTime(order.createdAt)],
    ['Last change', formatFullTime(order.updatedAt)],
  ];
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, rowGap: 1, m: 0 }}>
      {rows.map(([term, value]) => (
        <Box key={term} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {term}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
            {value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function Timeline({ history }: { history: OrderDetail['history'] }) {
  return (
    <Box>
      <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
        Timeline
      </Typography>
      <Box component="ol" aria-label="Order timeline" sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {history.map((entry, index) => (
          <Box
            component="li"
            key={entry.version}
            data-status={entry.status}
            sx={{
              display: 'grid',
              gridTemplateColumns: '20px 1fr',
              columnGap: 1.5,
              pb: index === history.length - 1 ? 0 : 2,
            }}
          >
            <Box sx={{ position: 'relative', display: 'flex', justifyContent: 'center' }} aria-hidden>
              <Box
                sx={{
                  width: 12,
                  height: 12,
                  mt: 0.5,
                  borderRadius: '50%',
                  bgcolor: STATUS_COLOR[entry.status].main,
                  zIndex: 1,
                }}
              />
              {index < history.length - 1 && (
                <Box sx={{ position: 'absolute', top: 18, bottom: -16, width: 2, bgcolor: 'divider' }} />
              )}
            </Box>
            <Box>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {STATUS_LABEL[entry.status]}
              </Typography>
              <Typography variant="caption" color="text.secondary" component="time" dateTime={entry.at}>
                {formatFullTime(entry.at)}
              </Typography>
              {entry.error && (
                <Typography variant="body2" color="error" sx={{ mt: 0.5 }}>
                  {entry.error}
                </Typography>
              )}
            </Box>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
