/** Counts per status and the success rate, as cards. */
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import LinearProgress from '@mui/material/LinearProgress';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { graphql, getFragmentData, type FragmentType } from '../gql/index.ts';
import { formatCount, formatPercent } from '../orders/format.ts';
import { STATUS_COLOR } from '../orders/OrderStatusChip.tsx';

export const StatsCards_OrderStatsFragment = graphql(`
  fragment StatsCards_OrderStats on OrderStats {
    at
    total
    pending
    processed
    failed
    successRate
    perMinute {
      at
      created
    }
  }
`);

/** One figure with its label, under a coloured edge; the Pipeline panel's cards use it too. */
export function StatCard({
  label,
  value,
  accent,
  footer,
}: {
  label: string;
  value: string;
  accent: string;
  footer?: React.ReactNode;
}) {
  return (
    <Card
      variant="outlined"
      component="section"
      aria-label={`${label}: ${value}`}
      sx={{ height: '100%', borderTop: `4px solid ${accent}` }}
    >
      <CardContent sx={{ py: 1.5, '&:last-child': { pb: 1.5 } }}>
        <Typography variant="overline" color="text.secondary" sx={{ lineHeight: 1.6 }}>
          {label}
        </Typography>
        <Typography variant="h5" component="p" sx={{ fontWeight: 700, fontVariantNumeric: 'tabular-nums' }}>
          {value}
        </Typography>
        {footer}
      </CardContent>
    </Card>
  );
}

export function StatsCards({ stats }: { stats: FragmentType<typeof StatsCards_OrderStatsFragment> | null }) {
  const data = getFragmentData(StatsCards_OrderStatsFragment, stats);
  if (!data) {
    return (
      <Box sx={cardsGrid} aria-busy="true" aria-label="Loading statistics">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} variant="rounded" height={96} />
        ))}
      </Box>
    );
  }
  // The series ends with the minute now filling up.
  const thisMinute = data.perMinute.at(-1)?.created ?? 0;
  return (
    <Box sx={cardsGrid}>
      <StatCard label="Total orders" value={formatCount(data.total)} accent="#6366f1" />
      <StatCard label="Pending" value={formatCount(data.pending)} accent={STATUS_COLOR.PENDING.main} />
      <StatCard label="Processed" value={formatCount(data.processed)} accent={STATUS_COLOR.PROCESSED.main} />
      <StatCard label="Failed" value={formatCount(data.failed)} accent={STATUS_COLOR.FAILED.main} />
      <StatCard
        label="Success rate"
        value={formatPercent(data.successRate)}
        accent="#0ea5e9"
        footer={
          <LinearProgress
            variant="determinate"
            value={(data.successRate ?? 0) * 100}
            aria-hidden
            color="success"
            sx={{ mt: 0.5, height: 4, borderRadius: 2 }}
          />
        }
      />
      <StatCard
        label="This minute"
        value={`${formatCount(thisMinute)}/min`}
        accent="#64748b"
        footer={
          <Typography variant="caption" color="text.secondary">
            orders created so far
          </Typography>
        }
      />
    </Box>
  );
}

/** A grid of stat cards: two abreast on a phone, then as many per row as `columns` says at each breakpoint. */
export function statCardsGrid(columns: Partial<Record<'sm' | 'md' | 'lg', number>>) {
  const perRow = (count: number) => `repeat(${count}, minmax(0, 1fr))`;
  const wider = Object.entries(columns).map(([breakpoint, count]) => [breakpoint, perRow(count)]);
  return { display: 'grid', gap: 2, gridTemplateColumns: { xs: perRow(2), ...Object.fromEntries(wider) } } as const;
}

const cardsGrid = statCardsGrid({ sm: 3, md: 6, lg: 3 });
