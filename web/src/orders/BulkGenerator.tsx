/**
 * The bulk generator: N random orders at R per second through createOrder,
 * with start, stop and progress, to watch the system under load.
 */
import { useEffect, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import { NumberField } from './FormFields.tsx';
import Typography from '@mui/material/Typography';
import { graphql } from '../gql/index.ts';
import { overWebSocket } from '../graphql/client.ts';
import { checkBulkSettings, ordersDue, ordersToSend, type BulkSettings } from './bulk-schedule.ts';
import { formatCount } from './format.ts';
import { newIdempotencyKey, randomOrderInput } from './random-order.ts';

const CatalogueQuery = graphql(`
  query BulkGenerator_CatalogueQuery {
    customers {
      id
    }
    products {
      sku
    }
  }
`);

const CreateOrderMutation = graphql(`
  mutation BulkGenerator_CreateOrderMutation($input: CreateOrderInput!) {
    createOrder(input: $input) {
      id
    }
  }
`);

interface Progress {
  readonly running: boolean;
  readonly total: number;
  readonly sent: number;
  readonly created: number;
  readonly refused: number;
  /** Orders due but held back because MAX_IN_FLIGHT are waiting for the server. */
  readonly behind: number;
  readonly lastError: string | null;
}

const idle: Progress = { running: false, total: 0, sent: 0, created: 0, refused: 0, behind: 0, lastError: null };

/** How often the generator looks at its clock, at most. */
const TICK_MS = 50;

/** The settings' fields: what each asks for, and its bounds (checked again by checkBulkSettings). */
const FIELDS = {
  count: { label: 'Number of orders', id: 'bulk-count', hint: 'Up to 10,000', min: 1, max: 10_000, step: 1 },
  rate: {
    label: 'Orders per second',
    id: 'bulk-rate',
    hint: 'Up to 200',
    min: 0.1,
    max: 200,
    step: 'any',
    decimal: true,
  },
} as const;

/** How far a run has gone: a bar, and what was sent, created and refused, and whether it keeps up. */
function ProgressReport({ progress }: { progress: Progress }) {
  const settled = progress.created + progress.refused;
  const percent = progress.total === 0 ? 0 : (progress.sent / progress.total) * 100;
  return (
    <Box>
      <LinearProgress
        variant="determinate"
        value={percent}
        aria-label="Bulk generation progress"
        sx={{ height: 8, borderRadius: 4 }}
      />
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }} role="status" aria-live="polite">
        {formatCount(progress.sent)} of {formatCount(progress.total)} sent · {formatCount(progress.created)} created ·{' '}
        {formatCount(progress.refused)} refused
        {!progress.running && settled < progress.sent ? ' · finishing…' : ''}
        {!progress.running && progress.sent < progress.total ? ' · stopped' : ''}
        {progress.running && progress.behind > 1
          ? ` · ${formatCount(progress.behind)} behind: the server is slower than the rate`
          : ''}
      </Typography>
    </Box>
  );
}

export function BulkGenerator() {
  const client = useClient();
  const [catalogue] = useQuery({ query: CatalogueQuery });
  const [count, setCount] = useState('100');
  const [rate, setRate] = useState('10');
  const [progress, setProgress] = useState<Progress>(idle);
  const [invalid, setInvalid] = useState<{ count?: string; rate?: string }>({});
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => () => clearInterval(timer.current), []);

  const stop = () => {
    clearInterval(timer.current);
    timer.current = undefined;
    setProgress((current) => ({ ...current, running: false }));
  };

  const run = ({ count: total, rate: perSecond }: BulkSettings) => {
    const customers = catalogue.data?.customers ?? [];
    const products = catalogue.data?.products ?? [];
    if (customers.length === 0 || products.length === 0) return;
    const started = performance.now();
    let sent = 0;
    let inFlight = 0;
    setProgress({ ...idle, running: true, total });
    const tick = () => {
      const due = ordersDue(performance.now() - started, perSecond, total);
      for (let n = ordersToSend(due, sent, inFlight); n > 0; n--, sent++, inFlight++) {
        const input = { ...randomOrderInput(customers, products), idempotencyKey: newIdempotencyKey() };
        void client
          .mutation(CreateOrderMutation, { input }, overWebSocket)
          .toPromise()
          .then((result) => {
            inFlight--;
            setProgress((current) =>
              result.data
                ? { ...current, created: current.created + 1 }
                : { ...current, refused: current.refused + 1, lastError: result.error?.message ?? 'refused' },
            );
          });
      }
      const sentNow = sent;
      setProgress((current) => ({ ...current, sent: sentNow, behind: due - sentNow }));
      if (sent >= total) stop();
    };
    tick();
    timer.current = setInterval(tick, Math.min(TICK_MS, 1000 / perSecond));
  };

  const start = () => {
    const checked = checkBulkSettings(count, rate);
    setInvalid({ ...(checked.count ? { count: checked.count } : {}), ...(checked.rate ? { rate: checked.rate } : {}) });
    if (checked.settings) run(checked.settings);
  };

  const ready = Boolean(catalogue.data);
  const { running } = progress;

  return (
    <Box>
      <Stack spacing={2}>
        <Stack direction="row" spacing={1}>
          <NumberField {...FIELDS.count} value={count} onChange={setCount} error={invalid.count} disabled={running} />
          <NumberField {...FIELDS.rate} value={rate} onChange={setRate} error={invalid.rate} disabled={running} />
        </Stack>
        {progress.running ? (
          <Button variant="outlined" color="error" onClick={stop}>
            Stop generating
          </Button>
        ) : (
          <Button variant="contained" color="secondary" onClick={start} disabled={!ready}>
            Start generating
          </Button>
        )}
        {progress.total > 0 && <ProgressReport progress={progress} />}
        {progress.lastError && (
          <Alert severity="warning" onClose={() => setProgress((current) => ({ ...current, lastError: null }))}>
            Last refusal: {progress.lastError}
          </Alert>
        )}
      </Stack>
    </Box>
  );
}
