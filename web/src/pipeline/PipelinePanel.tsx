/**
 * The Pipeline panel: whether orders are flowing, at a glance. Read once by
 * query for the first paint, then pushed by the `pipelineHealth` subscription
 * every few seconds (no polling); reread after a reconnect. Decisions per
 * second, p95 latency, consumer lag (with its recent trend), processors and
 * dead letters, and the server's warnings as alerts. The dead-letter count
 * opens the list where an operator requeues or discards them.
 */
import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { graphql, getFragmentData } from '../gql/index.ts';
import type { PipelinePanel_HealthFragment as Health } from '../gql/graphql.ts';
import { useCatchUp } from '../graphql/connection-context.tsx';
import { formatCount, formatTime } from '../orders/format.ts';
import { StatCard, statCardsGrid } from '../stats/StatsCards.tsx';
import { latestStats } from '../stats/latest-stats.ts';
import { DeadLetterList } from './DeadLetterList.tsx';
import { LagSparkline } from './LagSparkline.tsx';
import { formatLatency, formatRate, warningSeverity, warningTitle } from './pipeline-format.ts';

export const PipelinePanel_HealthFragment = graphql(`
  fragment PipelinePanel_Health on PipelineHealth {
    at
    decisionsPerSecond
    decisionsLastMinute
    decisionLatencyP95Seconds
    consumerLag {
      total
      partitions {
        partition
        lag
      }
    }
    processors
    deadLetters
    warnings {
      code
      message
    }
  }
`);

const HealthQuery = graphql(`
  query PipelinePanel_HealthQuery {
    pipelineHealth {
      at
      ...PipelinePanel_Health
    }
  }
`);

const HealthSubscription = graphql(`
  subscription PipelinePanel_HealthSubscription {
    pipelineHealth {
      at
      ...PipelinePanel_Health
    }
  }
`);

/** How many lag samples the sparkline keeps: a minute at the server's two seconds. */
const TREND_SAMPLES = 30;

export function PipelinePanel() {
  const [query, reexecute] = useQuery({ query: HealthQuery });
  const [subscription] = useSubscription({ query: HealthSubscription });
  useCatchUp(() => reexecute({ requestPolicy: 'network-only' }));
  const latest = latestStats(query.data?.pipelineHealth, subscription.data?.pipelineHealth);
  const health = getFragmentData(PipelinePanel_HealthFragment, latest);
  const trend = useLagTrend(health);
  const [listOpen, setListOpen] = useState(false);
  const error = query.error ?? subscription.error;

  if (!health) {
    return error ? (
      <Alert severity="error">Could not load the pipeline: {error.graphQLErrors[0]?.message ?? error.message}</Alert>
    ) : (
      <Box sx={cardsGrid} aria-busy="true" aria-label="Loading the pipeline">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} variant="rounded" height={96} />
        ))}
      </Box>
    );
  }
  return (
    <Stack
      spacing={2}
      data-testid="pipeline"
      data-lag={health.consumerLag?.total ?? ''}
      data-processors={health.processors ?? ''}
      data-dead-letters={health.deadLetters ?? ''}
      data-warnings={health.warnings.map((w) => w.code).join(' ')}
    >
      <Warnings warnings={health.warnings} />
      <Box sx={cardsGrid}>
        <StatCard
          label="Decisions/s"
          value={formatRate(health.decisionsPerSecond)}
          accent="#16a34a"
          footer={<Caption>{formatCount(health.decisionsLastMinute)} in the last minute</Caption>}
        />
        <StatCard
          label="p95 latency"
          value={formatLatency(health.decisionLatencyP95Seconds)}
          accent="#0ea5e9"
          footer={<Caption>creation to decision, last minute</Caption>}
        />
        <StatCard
          label="Consumer lag"
          value={health.consumerLag ? formatCount(health.consumerLag.total) : '—'}
          accent={health.warnings.some((w) => w.code === 'LAG_GROWING') ? '#d97706' : '#6366f1'}
          footer={<LagSparkline samples={trend} />}
        />
        <StatCard
          label="Processors"
          value={health.processors === null ? '—' : formatCount(health.processors)}
          accent={health.processors === 0 ? '#dc2626' : '#64748b'}
          footer={<Caption>in the consumer group</Caption>}
        />
        <StatCard
          label="Dead letters"
          value={health.deadLetters === null ? '—' : formatCount(health.deadLetters)}
          accent={health.deadLetters ? '#dc2626' : '#64748b'}
          footer={
            <Button size="small" sx={{ ml: -0.5, mt: -0.25, p: 0.25 }} onClick={() => setListOpen(true)}>
              Show dead letters
            </Button>
          }
        />
      </Box>
      <Typography variant="caption" color="text.secondary" aria-live="off">
        Sampled {formatTime(health.at)}, every 2 s while the dashboard is open.
      </Typography>
      <DeadLetterList open={listOpen} onClose={() => setListOpen(false)} sampledAt={health.at} />
    </Stack>
  );
}

function Caption({ children }: { children: React.ReactNode }) {
  return (
    <Typography variant="caption" color="text.secondary" noWrap component="p">
      {children}
    </Typography>
  );
}

function Warnings({ warnings }: { warnings: Health['warnings'] }) {
  if (warnings.length === 0) return null;
  return (
    <Stack spacing={1} role="status" aria-label="Pipeline warnings">
      {warnings.map((warning) => (
        <Alert key={warning.code} severity={warningSeverity(warning.code)} data-warning={warning.code}>
          <AlertTitle>{warningTitle(warning.code)}</AlertTitle>
          {warning.message}
        </Alert>
      ))}
    </Stack>
  );
}

/** The total lag of the samples seen, oldest first, one per sample (by its `at`). */
function useLagTrend(health: Health | null | undefined): number[] {
  const [trend, setTrend] = useState<{ at: string; lag: number }[]>([]);
  const at = health?.at;
  const lag = health?.consumerLag?.total;
  useEffect(() => {
    if (at === undefined || lag === undefined) return;
    setTrend((samples) => (samples.at(-1)?.at === at ? samples : [...samples, { at, lag }].slice(-TREND_SAMPLES)));
  }, [at, lag]);
  return trend.map((sample) => sample.lag);
}

const cardsGrid = statCardsGrid({ sm: 3, md: 5 });
