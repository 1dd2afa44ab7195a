/**
 * Live statistics: read once by query, then pushed by the `orderStats`
 * subscription; reread after a reconnect. Cards and chart take their fragments.
 */
import { lazy, Suspense } from 'react';
import { useQuery, useSubscription } from 'urql';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { graphql } from '../gql/index.ts';
import { useCatchUp } from '../graphql/connection-context.tsx';
import { latestStats } from './latest-stats.ts';
import { StatsCards } from './StatsCards.tsx';

// Recharts is most of the bundle's weight: the chart loads after the rest of the page.
const OrdersPerMinuteChart = lazy(() =>
  import('./OrdersPerMinuteChart.tsx').then((module) => ({ default: module.OrdersPerMinuteChart })),
);

const OrderStatsQuery = graphql(`
  query StatsPanel_OrderStatsQuery {
    orderStats {
      at
      ...StatsCards_OrderStats
      ...OrdersPerMinuteChart_OrderStats
    }
  }
`);

const OrderStatsSubscription = graphql(`
  subscription StatsPanel_OrderStatsSubscription {
    orderStats {
      at
      ...StatsCards_OrderStats
      ...OrdersPerMinuteChart_OrderStats
    }
  }
`);

export function StatsPanel() {
  const [query, reexecute] = useQuery({ query: OrderStatsQuery });
  const [subscription] = useSubscription({ query: OrderStatsSubscription });
  useCatchUp(() => reexecute({ requestPolicy: 'network-only' }));
  const stats = latestStats(query.data?.orderStats, subscription.data?.orderStats);

  return (
    <Box
      component="section"
      aria-label="Statistics"
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: { xs: 'minmax(0, 1fr)', lg: 'minmax(0, 5fr) minmax(0, 7fr)' },
      }}
    >
      <Box>
        {!stats && query.error ? (
          <Alert severity="error">Could not load statistics: {query.error.message}</Alert>
        ) : (
          <StatsCards stats={stats} />
        )}
      </Box>
      <Card variant="outlined">
        <CardContent sx={{ pb: 1, '&:last-child': { pb: 1 } }}>
          <Typography variant="subtitle2" component="h2" sx={{ mb: 1 }}>
            Orders per minute
          </Typography>
          <Suspense fallback={<Skeleton variant="rounded" height={200} aria-label="Loading chart" />}>
            <OrdersPerMinuteChart stats={stats} />
          </Suspense>
        </CardContent>
      </Card>
    </Box>
  );
}
