/** Orders per minute over the last 30 minutes: created as a line, processed and failed as stacked bars. */
import { useMemo } from 'react';
import Box from '@mui/material/Box';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { graphql, getFragmentData, type FragmentType } from '../gql/index.ts';
import { STATUS_COLOR } from '../orders/OrderStatusChip.tsx';

export const OrdersPerMinuteChart_OrderStatsFragment = graphql(`
  fragment OrdersPerMinuteChart_OrderStats on OrderStats {
    perMinute {
      at
      created
      processed
      failed
    }
  }
`);

/** The decided orders of a minute, stacked: one bar each, in its status's colour. */
const DECIDED = [
  { dataKey: 'processed', name: 'Processed', status: 'PROCESSED' },
  { dataKey: 'failed', name: 'Failed', status: 'FAILED' },
] as const;

const minute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function OrdersPerMinuteChart({
  stats,
}: {
  stats: FragmentType<typeof OrdersPerMinuteChart_OrderStatsFragment> | null;
}) {
  const theme = useTheme();
  const data = getFragmentData(OrdersPerMinuteChart_OrderStatsFragment, stats);
  const points = useMemo(
    () => (data?.perMinute ?? []).map((point) => ({ ...point, label: minute.format(new Date(point.at)) })),
    [data],
  );
  if (!data) return <Skeleton variant="rounded" height={200} aria-label="Loading chart" />;
  const summary = points.reduce(
    (sum, point) => ({
      created: sum.created + point.created,
      processed: sum.processed + point.processed,
      failed: sum.failed + point.failed,
    }),
    { created: 0, processed: 0, failed: 0 },
  );
  return (
    <Box
      role="img"
      aria-label={`Orders per minute over the last ${points.length} minutes: ${summary.created} created, ${summary.processed} processed, ${summary.failed} failed`}
    >
      {summary.created + summary.processed + summary.failed === 0 ? (
        <Typography color="text.secondary" sx={{ py: 8, textAlign: 'center' }}>
          No orders in the last 30 minutes. Create some to see them here.
        </Typography>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: theme.palette.text.secondary }} minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: theme.palette.text.secondary }} />
            <Tooltip
              contentStyle={{
                background: theme.palette.background.paper,
                border: `1px solid ${theme.palette.divider}`,
              }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {DECIDED.map(({ dataKey, name, status }) => (
              <Bar
                key={dataKey}
                dataKey={dataKey}
                name={name}
                stackId="decided"
                fill={STATUS_COLOR[status].main}
                isAnimationActive={false}
              />
            ))}
            <Line
              dataKey="created"
              name="Created"
              type="linear"
              stroke="#6366f1"
              strokeWidth={2}
              dot={{ r: 2 }}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </Box>
  );
}
