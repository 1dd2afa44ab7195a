/**
 * The dead letters an operator can act on, in a dialog opened from the
 * Pipeline panel: each with its reason, when it died, where it sat
 * (topic, partition, offset) and its raw value in monospace, and Requeue /
 * Discard, each confirmed first. While it is open the list is read again
 * after an action and with each sample the panel receives: a requeued letter
 * that is still unreadable comes back as a new one, often within the same
 * sample, so the count alone would not show that anything changed.
 */
import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { graphql } from '../gql/index.ts';
import type { DeadLetterList_DeadLettersQueryQuery } from '../gql/graphql.ts';
import { formatCount, formatFullTime } from '../orders/format.ts';

const DeadLettersQuery = graphql(`
  query DeadLetterList_DeadLettersQuery($first: Int!) {
    deadLetters(first: $first) {
      totalCount
      edges {
        node {
          id
          reason
          deadAt
          topic
          partition
          offset
          key
          value
          valueTruncated
        }
      }
    }
  }
`);

const RequeueMutation = graphql(`
  mutation DeadLetterList_RequeueMutation($id: ID!) {
    requeueDeadLetter(id: $id) {
      action
      requeuedPartition
      requeuedOffset
    }
  }
`);

const DiscardMutation = graphql(`
  mutation DeadLetterList_DiscardMutation($id: ID!) {
    discardDeadLetter(id: $id) {
      action
    }
  }
`);

type Letter = DeadLetterList_DeadLettersQueryQuery['deadLetters']['edges'][number]['node'];
type Action = 'requeue' | 'discard';

/** Letters shown at first, and added by each "Show more" (the API gives at most 100). */
const PAGE = 20;
const MOST = 100;

const CONFIRM: Record<Action, { title: string; text: string; button: string }> = {
  requeue: {
    title: 'Requeue this message?',
    text: 'Its key, value and headers go back to the topic they came from, as they were. If it still cannot be read, it comes back here with its reason.',
    button: 'Requeue',
  },
  discard: {
    title: 'Discard this message?',
    text: 'It leaves the list for good; the message stays in the dead-letter topic, but nothing will act on it.',
    button: 'Discard',
  },
};

export function DeadLetterList({
  open,
  onClose,
  sampledAt,
}: {
  open: boolean;
  onClose: () => void;
  /** When the panel's latest sample was read: each new one reads the open list again. */
  sampledAt: string;
}) {
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md" aria-labelledby="dead-letters-title" scroll="paper">
      <DialogTitle id="dead-letters-title">Dead letters</DialogTitle>
      {open && <Letters sampledAt={sampledAt} />}
      <DialogActions>
        <Button onClick={onClose}>Close list</Button>
      </DialogActions>
    </Dialog>
  );
}

function Letters({ sampledAt }: { sampledAt: string }) {
  const [first, setFirst] = useState(PAGE);
  const [query, reexecute] = useQuery({ query: DeadLettersQuery, variables: { first }, requestPolicy: 'network-only' });
  const [confirming, setConfirming] = useState<{ letter: Letter; action: Action } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const [firstSample] = useState(sampledAt);
  useEffect(() => {
    // The query reads the list on opening; each later sample reads it again.
    if (sampledAt !== firstSample) reexecute({ requestPolicy: 'network-only' });
  }, [sampledAt, firstSample, reexecute]);

  const page = query.data?.deadLetters;
  return (
    <DialogContent dividers>
      {done && (
        <Alert severity="success" onClose={() => setDone(null)} sx={{ mb: 2 }}>
          {done}
        </Alert>
      )}
      {query.error && !page && (
        <Alert severity="error">
          Could not load the dead letters: {query.error.graphQLErrors[0]?.message ?? query.error.message}
        </Alert>
      )}
      {!page && !query.error && <Skeleton variant="rounded" height={160} aria-label="Loading the dead letters" />}
      {page && page.edges.length === 0 && (
        <Typography color="text.secondary">No dead letters: every message of the topics was read.</Typography>
      )}
      {page && page.edges.length > 0 && (
        <Stack spacing={2} component="ul" aria-label="Dead letters" sx={{ listStyle: 'none', p: 0, m: 0 }}>
          {page.edges.map(({ node }) => (
            <LetterCard key={node.id} letter={node} onAct={(action) => setConfirming({ letter: node, action })} />
          ))}
        </Stack>
      )}
      {page && page.totalCount > page.edges.length && (
        <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: 'center' }}>
          <Typography variant="body2" color="text.secondary">
            {formatCount(page.edges.length)} of {formatCount(page.totalCount)} shown
          </Typography>
          {first < MOST && <Button onClick={() => setFirst(Math.min(MOST, first + PAGE))}>Show more</Button>}
        </Stack>
      )}
      <ConfirmAction
        confirming={confirming}
        onCancel={() => setConfirming(null)}
        onDone={(message) => {
          setConfirming(null);
          setDone(message);
          reexecute({ requestPolicy: 'network-only' });
        }}
      />
    </DialogContent>
  );
}

function LetterCard({ letter, onAct }: { letter: Letter; onAct: (action: Action) => void }) {
  return (
    <Card component="li" variant="outlined" aria-label={`Dead letter ${letter.id}`} data-dead-letter={letter.id}>
      <CardContent>
        <Typography sx={{ fontWeight: 600 }}>{letter.reason}</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {formatFullTime(letter.deadAt)} · {letter.topic} · partition {letter.partition} · offset {letter.offset}
          {letter.key !== null && ` · key ${letter.key}`}
        </Typography>
        <Box
          component="pre"
          aria-label="Raw value"
          sx={{
            fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace',
            fontSize: 13,
            bgcolor: 'action.hover',
            borderRadius: 1,
            p: 1.5,
            m: 0,
            maxHeight: 160,
            overflow: 'auto',
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-all',
          }}
        >
          {letter.value ?? '(no value)'}
        </Box>
        {letter.valueTruncated && (
          <Typography variant="caption" color="text.secondary">
            Cut for display; a requeue sends every byte.
          </Typography>
        )}
        <Stack direction="row" spacing={1} sx={{ mt: 1.5 }}>
          <Button variant="contained" size="small" onClick={() => onAct('requeue')}>
            Requeue
          </Button>
          <Button variant="outlined" size="small" color="error" onClick={() => onAct('discard')}>
            Discard
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}

function ConfirmAction({
  confirming,
  onCancel,
  onDone,
}: {
  confirming: { letter: Letter; action: Action } | null;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const [requeued, requeue] = useMutation(RequeueMutation);
  const [discarded, discard] = useMutation(DiscardMutation);
  const [failure, setFailure] = useState<string | null>(null);
  // What the dialog shows stays while it fades out after `confirming` went back to null.
  const [shown, setShown] = useState(confirming);
  useEffect(() => {
    if (confirming) {
      setShown(confirming);
      setFailure(null);
    }
  }, [confirming]);
  const busy = requeued.fetching || discarded.fetching;
  const text = shown ? CONFIRM[shown.action] : null;

  const confirm = async () => {
    if (!confirming) return;
    setFailure(null);
    const { letter, action } = confirming;
    const result = action === 'requeue' ? await requeue({ id: letter.id }) : await discard({ id: letter.id });
    if (result.error) {
      setFailure(result.error.graphQLErrors[0]?.message ?? result.error.message);
      return;
    }
    onDone(action === 'requeue' ? `Requeued ${letter.id}.` : `Discarded ${letter.id}.`);
  };

  return (
    <Dialog
      open={confirming !== null}
      onClose={busy ? undefined : onCancel}
      aria-labelledby="confirm-dead-letter-title"
    >
      <DialogTitle id="confirm-dead-letter-title">{text?.title}</DialogTitle>
      <DialogContent>
        <DialogContentText>{text?.text}</DialogContentText>
        {shown && (
          <Typography variant="body2" sx={{ mt: 1, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}>
            {shown.letter.id}
          </Typography>
        )}
        {failure && (
          <Alert severity="error" sx={{ mt: 2 }}>
            Could not {shown?.action}: {failure}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color={shown?.action === 'discard' ? 'error' : 'primary'}
          onClick={() => void confirm()}
          disabled={busy}
          startIcon={busy ? <CircularProgress size={16} color="inherit" aria-hidden /> : undefined}
        >
          {text?.button}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
