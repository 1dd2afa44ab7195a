/** Tells the operator whether the live feed is connected, reconnecting or offline. */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useConnectionState } from '../graphql/connection-context.tsx';
import type { ConnectionPhase } from '../graphql/connection-state.ts';

const LOOK: Record<ConnectionPhase, { label: string; color: string; explain: string }> = {
  connecting: { label: 'Connecting…', color: '#94a3b8', explain: 'Opening the live feed.' },
  connected: { label: 'Live', color: '#22c55e', explain: 'Connected: changes appear as they happen.' },
  reconnecting: {
    label: 'Reconnecting…',
    color: '#f59e0b',
    explain: 'Lost the live feed; retrying. The view catches up when it is back.',
  },
  offline: {
    label: 'Offline',
    color: '#ef4444',
    explain: 'The server cannot be reached; still retrying. What you see may be out of date.',
  },
};

export function ConnectionIndicator() {
  const { phase, attempts } = useConnectionState();
  const look = LOOK[phase];
  const pulsing = phase !== 'connected';
  return (
    <Tooltip title={attempts > 1 && pulsing ? `${look.explain} Attempt ${attempts}.` : look.explain}>
      <Box
        role="status"
        aria-live="polite"
        aria-label={`Connection: ${phase}`}
        data-connection={phase}
        tabIndex={0}
        sx={{
          display: 'inline-flex',
          alignItems: 'center',
          gap: 1,
          px: 1.5,
          py: 0.5,
          borderRadius: 99,
          bgcolor: 'rgba(255,255,255,0.08)',
          border: '1px solid rgba(255,255,255,0.16)',
          outlineOffset: 2,
        }}
      >
        <Box
          aria-hidden
          sx={{
            width: 10,
            height: 10,
            borderRadius: '50%',
            bgcolor: look.color,
            boxShadow: `0 0 0 3px ${look.color}33`,
            animation: pulsing ? 'connection-pulse 1.2s ease-in-out infinite' : 'none',
            '@keyframes connection-pulse': { '50%': { opacity: 0.35 } },
          }}
        />
        <Typography variant="body2" component="span" sx={{ fontWeight: 600, color: 'inherit' }}>
          {look.label}
        </Typography>
      </Box>
    </Tooltip>
  );
}

/** A strip under the app bar while the feed is down: what is on screen is the last known state. */
export function ConnectionBanner() {
  const { phase } = useConnectionState();
  if (phase !== 'reconnecting' && phase !== 'offline') return null;
  return (
    // The indicator already announces the change; this strip explains it without a second announcement.
    <Alert
      role="note"
      severity={phase === 'offline' ? 'error' : 'warning'}
      square
      sx={{ py: 0, justifyContent: 'center' }}
    >
      {phase === 'offline'
        ? 'Offline: the server cannot be reached. Figures may be out of date; retrying in the background.'
        : 'Live updates paused while reconnecting. The view catches up as soon as the connection is back.'}
    </Alert>
  );
}
