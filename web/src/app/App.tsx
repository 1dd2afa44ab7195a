/**
 * The dashboard's page: connection and statistics on top, then the
 * pipeline's health, the live order table beside the forms that make orders,
 * and the order drawer. The status filter and the open order live in the URL.
 */
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Container from '@mui/material/Container';
import Stack from '@mui/material/Stack';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { BulkGenerator } from '../orders/BulkGenerator.tsx';
import { CreateOrderForm } from '../orders/CreateOrderForm.tsx';
import { LiveOrdersProvider, useLiveOrdersState } from '../orders/LiveOrdersContext.tsx';
import { OrderDetailDrawer } from '../orders/OrderDetailDrawer.tsx';
import { OrderTable } from '../orders/OrderTable.tsx';
import { StatusFilterControl } from '../orders/StatusFilterControl.tsx';
import { formatCount } from '../orders/format.ts';
import { parseStatusFilter, searchWithStatusFilter } from '../orders/status-filter.ts';
import { PipelinePanel } from '../pipeline/PipelinePanel.tsx';
import { StatsPanel } from '../stats/StatsPanel.tsx';
import { ConnectionBanner, ConnectionIndicator } from './ConnectionIndicator.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { navigateToSearch, useLocationSearch, useSearchParam } from './url-state.ts';

function Panel({
  title,
  action,
  children,
  label,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
  label?: string;
}) {
  return (
    <Card component="section" aria-label={label ?? title} sx={{ height: '100%' }}>
      <CardContent>
        <Stack
          direction={{ xs: 'column', sm: 'row' }}
          spacing={1}
          sx={{ justifyContent: 'space-between', alignItems: { xs: 'flex-start', sm: 'center' }, mb: 2 }}
        >
          <Typography variant="h6" component="h2">
            {title}
          </Typography>
          {action}
        </Stack>
        <ErrorBoundary what={title.toLowerCase()}>{children}</ErrorBoundary>
      </CardContent>
    </Card>
  );
}

function OrdersPanel({ onOpenOrder }: { onOpenOrder: (id: string) => void }) {
  const state = useLiveOrdersState();
  const search = useLocationSearch();
  return (
    <Panel
      title="Orders"
      label="Orders"
      action={
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="body2" color="text.secondary" aria-live="polite" data-testid="order-count">
            {state.phase === 'ready' ? `${formatCount(state.totalCount)} matching` : ''}
          </Typography>
          <StatusFilterControl
            value={state.filter}
            onChange={(filter) => navigateToSearch(searchWithStatusFilter(search, filter))}
          />
        </Stack>
      }
    >
      <OrderTable onOpenOrder={onOpenOrder} />
    </Panel>
  );
}

export function App() {
  const search = useLocationSearch();
  const filter = parseStatusFilter(search);
  const [orderId, setOrderId] = useSearchParam('order');

  return (
    <LiveOrdersProvider filter={filter}>
      <AppBar position="sticky" elevation={0} sx={{ bgcolor: '#0f172a', color: '#f8fafc' }}>
        <Toolbar sx={{ gap: 2 }}>
          <Box component="img" src="/favicon.svg" alt="" sx={{ width: 28, height: 28 }} />
          <Box sx={{ flexGrow: 1, minWidth: 0 }}>
            <Typography variant="h6" component="h1" noWrap sx={{ lineHeight: 1.2 }}>
              Orders
            </Typography>
            <Typography variant="caption" noWrap sx={{ opacity: 0.7, display: { xs: 'none', sm: 'block' } }}>
              Live order dashboard
            </Typography>
          </Box>
          <ConnectionIndicator />
        </Toolbar>
        <ConnectionBanner />
      </AppBar>
      <Container component="main" maxWidth="xl" sx={{ py: 3 }}>
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
          <ErrorBoundary what="the statistics">
            <StatsPanel />
          </ErrorBoundary>
          <Panel title="Pipeline">
            <PipelinePanel />
          </Panel>
          <Box
            sx={{
              display: 'grid',
              gap: 3,
              alignItems: 'stretch',
              // On a phone the orders come before the forms.
              order: { xs: 2, md: 0 },
              gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 7fr) minmax(0, 5fr)' },
            }}
          >
            <Panel title="Create order">
              <CreateOrderForm />
            </Panel>
            <Panel title="Bulk generator">
              <BulkGenerator />
            </Panel>
          </Box>
          <Box sx={{ order: { xs: 1, md: 0 } }}>
            <OrdersPanel onOpenOrder={setOrderId} />
          </Box>
        </Box>
      </Container>
      <ErrorBoundary what="the order details">
        <OrderDetailDrawer orderId={orderId} onClose={() => setOrderId(null)} />
      </ErrorBoundary>
    </LiveOrdersProvider>
  );
}
