/**
 * The live order table: the newest orders page by page, kept current by the
 * `orderCreated` and `orderStatusChanged` subscriptions, filtered by status,
 * and reread from the server after every reconnect.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import Alert, { type AlertProps } from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Skeleton from '@mui/material/Skeleton';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { getFragmentData, graphql } from '../gql/index.ts';
import { useCatchUp } from '../graphql/connection-context.tsx';
import { formatCount } from './format.ts';
import type { LiveEvent, OrdersPage } from './live-orders.ts';
import { useLiveOrdersDispatch, useLiveOrdersState } from './LiveOrdersContext.tsx';
import { STATUS_LABEL } from './OrderStatusChip.tsx';
import { OrderTableRow } from './OrderTableRow.tsx';
import { statusArgument, type StatusFilter } from './status-filter.ts';

export const OrderTable_OrderFragment = graphql(`
  fragment OrderTable_Order on Order {
    id
    orderNumber
    quantity
    total
    status
    version
    error
    createdAt
    processedAt
    failedAt
    customer {
      id
      name
    }
    product {
      sku
      name
    }
  }
`);

const OrdersQuery = graphql(`
  query OrderTable_OrdersQuery($first: Int!, $after: String, $status: [OrderStatus!]) {
    orders(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        cursor
        node {
          ...OrderTable_Order
        }
      }
    }
  }
`);

const OrderCreatedSubscription = graphql(`
  subscription OrderTable_OrderCreatedSubscription {
    orderCreated {
      ...OrderTable_Order
    }
  }
`);

const OrderStatusChangedSubscription = graphql(`
  subscription OrderTable_OrderStatusChangedSubscription {
    orderStatusChanged {
      previousStatus
      status
      version
      order {
        ...OrderTable_Order
      }
    }
  }
`);

/** Orders fetched per request; the table shows pages of ROWS_PER_PAGE from what is loaded. */
const FETCH_SIZE = 50;
const ROWS_PER_PAGE = [10, 25, 50];
/** Live events are applied together at most this often, so a burst re-renders the table once. */
const EVENT_BATCH_MS = 60;

/** Feeds the live list the `orderCreated` and `orderStatusChanged` events, a batch at a time. */
function useLiveEvents(dispatch: (action: { type: 'events'; events: LiveEvent[] }) => void) {
  const client = useClient();
  useEffect(() => {
    let batch: LiveEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const events = batch;
      batch = [];
      dispatch({ type: 'events', events });
    };
    const push = (event: LiveEvent) => {
      batch.push(event);
      timer ??= setTimeout(flush, EVENT_BATCH_MS);
    };
    const created = client.subscription(OrderCreatedSubscription, {}).subscribe((result) => {
      if (result.data)
        push({ kind: 'created', order: getFragmentData(OrderTable_OrderFragment, result.data.orderCreated) });
      if (result.error) console.warn('orderCreated', result.error.message);
    });
    const changed = client.subscription(OrderStatusChangedSubscription, {}).subscribe((result) => {
      const change = result.data?.orderStatusChanged;
      if (change) {
        const order = getFragmentData(OrderTable_OrderFragment, change.order);
        push({ kind: 'statusChanged', order, previousStatus: change.previousStatus ?? null });
      }
      if (result.error) console.warn('orderStatusChanged', result.error.message);
    });
    return () => {
      created.unsubscribe();
      changed.unsubscribe();
      clearTimeout(timer);
    };
  }, [client, dispatch]);
}

/** Loads pages into the shared live list, and feeds it the live events. */
function useOrderFeed() {
  const client = useClient();
  const state = useLiveOrdersState();
  const dispatch = useLiveOrdersDispatch();
  const [loadingMore, setLoadingMore] = useState(false);
  const filter = state.filter;

  const fetchPage = useCallback(
    async (forFilter: StatusFilter, after: string | null): Promise<OrdersPage> => {
      const result = await client
        .query(
          OrdersQuery,
          { first: FETCH_SIZE, after, status: statusArgument(forFilter) },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      if (result.error || !result.data) throw new Error(result.error?.message ?? 'the server sent no orders');
      const { orders } = result.data;
      return {
        rows: orders.edges.map((edge) => ({
          cursor: edge.cursor,
          order: getFragmentData(OrderTable_OrderFragment, edge.node),
        })),
        totalCount: orders.totalCount,
        endCursor: orders.pageInfo.endCursor ?? null,
        hasMore: orders.pageInfo.hasNextPage,
      };
    },
    [client],
  );

  // Each answer names the filter it was asked for: the reducer drops it if the filter changed meanwhile.
  const reload = useCallback(() => {
    fetchPage(filter, null).then(
      (page) => dispatch({ type: 'pageLoaded', filter, page, mode: 'replace' }),
      (error: unknown) => dispatch({ type: 'pageFailed', filter, error: messageOf(error) }),
    );
  }, [fetchPage, dispatch, filter]);

  const loadMore = useCallback(async () => {
    if (state.endCursor === null) {
      reload();
      return;
    }
    setLoadingMore(true);
    try {
      const page = await fetchPage(filter, state.endCursor);
      dispatch({ type: 'pageLoaded', filter, page, mode: 'append' });
    } catch (error) {
      dispatch({ type: 'pageFailed', filter, error: messageOf(error) });
    } finally {
      setLoadingMore(false);
    }
  }, [fetchPage, dispatch, reload, filter, state.endCursor]);

  // The first load, and a new one for each filter (a new filter resets the list to 'loading').
  const loadedFilter = useRef<StatusFilter | null>(null);
  useEffect(() => {
    if (loadedFilter.current === filter || state.phase !== 'loading') return;
    loadedFilter.current = filter;
    reload();
  }, [filter, state.phase, reload]);

  useCatchUp(reload);

  useLiveEvents(dispatch);

  return { state, dispatch, reload, loadMore, loadingMore };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An alert with one button, which says what can be done about it. */
function ActionAlert({
  action,
  onAction,
  children,
  ...alert
}: Pick<AlertProps, 'severity' | 'sx'> & { action: string; onAction: () => void; children: ReactNode }) {
  return (
    <Alert
      {...alert}
      action={
        <Button color="inherit" size="small" onClick={onAction}>
          {action}
        </Button>
      }
    >
      {children}
    </Alert>
  );
}

export function OrderTable({ onOpenOrder }: { onOpenOrder: (orderId: string) => void }) {
  const { state, dispatch, reload, loadMore, loadingMore } = useOrderFeed();
  const [page, setPage] = useState(0);
  const [rowsPerPage, setRowsPerPage] = useState(25);

  // A new filter starts at the first page.
  useEffect(() => setPage(0), [state.filter]);
  // On an older page, rows hold still: new ones are counted, not inserted.
  useEffect(() => dispatch({ type: 'hold', holding: page > 0 }), [page, dispatch]);

  const showNewest = () => {
    setPage(0);
    if (state.held > 0) reload();
  };

  const changePage = async (next: number) => {
    if (next === 0) {
      showNewest();
      return;
    }
    if ((next + 1) * rowsPerPage > state.rows.length && state.hasMore) await loadMore();
    setPage(next);
  };

  const count = state.hasMore ? Math.max(state.totalCount, state.rows.length + 1) : state.rows.length;
  // After a catch-up the list may be shorter than the page the operator was on.
  const shownPage = Math.min(page, Math.max(0, Math.ceil(count / rowsPerPage) - 1));
  const visible = state.rows.slice(shownPage * rowsPerPage, (shownPage + 1) * rowsPerPage);
  const emptyText =
    state.filter === 'ALL'
      ? 'No orders yet. Create one, or start the bulk generator to watch them flow.'
      : `No ${STATUS_LABEL[state.filter].toLowerCase()} orders right now. New ones will appear here as they happen.`;

  return (
    <Box>
      {state.held > 0 && (
        <ActionAlert severity="info" sx={{ mb: 1 }} action="Show newest" onAction={showNewest}>
          {formatCount(state.held)} new {state.held === 1 ? 'order' : 'orders'} since you left the first page.
        </ActionAlert>
      )}
      {state.error && state.phase === 'ready' && (
        <Alert severity="warning" sx={{ mb: 1 }} onClose={() => reload()}>
          Could not load more orders: {state.error}
        </Alert>
      )}
      <TableContainer sx={{ maxWidth: '100%', overflowX: 'auto' }}>
        <Table size="small" aria-label="Orders, newest first" stickyHeader>
          <OrderTableHead />
          <TableBody>
            {state.phase === 'loading' && state.rows.length === 0 && <LoadingRows />}
            {visible.map((row) => (
              <OrderTableRow key={row.optimisticKey ?? row.order.id} row={row} onOpen={onOpenOrder} />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {state.phase === 'error' && (
        <ActionAlert severity="error" sx={{ mt: 2 }} action="Try again" onAction={reload}>
          Could not load orders: {state.error}
        </ActionAlert>
      )}
      {state.phase === 'ready' && state.rows.length === 0 && (
        <Box sx={{ py: 6, textAlign: 'center' }} role="status">
          <Typography color="text.secondary">{emptyText}</Typography>
        </Box>
      )}
      <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 1 }}>
        {loadingMore && <CircularProgress size={16} aria-label="Loading older orders" />}
        <TablePagination
          component="div"
          count={count}
          page={shownPage}
          rowsPerPage={rowsPerPage}
          rowsPerPageOptions={ROWS_PER_PAGE}
          onPageChange={(_event, next) => void changePage(next)}
          onRowsPerPageChange={(event) => {
            setRowsPerPage(Number(event.target.value));
            showNewest();
          }}
          labelRowsPerPage="Rows"
          labelDisplayedRows={({ from, to }) => `${from}–${to} of ${formatCount(state.totalCount)}`}
        />
      </Box>
    </Box>
  );
}

/** The columns; the narrower the screen, the fewer. */
function OrderTableHead() {
  return (
    <TableHead>
      <TableRow>
        <TableCell>Order</TableCell>
        <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Customer</TableCell>
        <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Product</TableCell>
        <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
          Qty
        </TableCell>
        <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
          Total
        </TableCell>
        <TableCell>Status</TableCell>
        <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Created</TableCell>
        <TableCell sx={{ display: { xs: 'none', lg: 'table-cell' } }}>Processed</TableCell>
        <TableCell sx={{ display: { xs: 'none', lg: 'table-cell' } }}>Failed</TableCell>
      </TableRow>
    </TableHead>
  );
}

function LoadingRows() {
  return (
    <>
      {Array.from({ length: 6 }, (_, i) => (
        <TableRow key={i} aria-hidden>
          <TableCell colSpan={9}>
            <Skeleton height={28} />
          </TableCell>
        </TableRow>
      ))}
    </>
  );
}
