/**
 * Where the live feed stands, as the connection indicator shows it, driven by
 * graphql-ws's `connecting`, `connected` and `closed` events and the browser's
 * online/offline events. Pure: the monitor in connection-monitor.ts feeds it.
 */

export type ConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionState {
  readonly phase: ConnectionPhase;
  /** When the current phase began (ms since the epoch). */
  readonly since: number;
  /** Grows by one with every connection after the first: a view that sees it change must catch up. */
  readonly reconnects: number;
  /** Connection attempts since the feed was last connected. */
  readonly attempts: number;
  /** Whether a connection was ever made: the first one is not a reconnect. */
  readonly everConnected: boolean;
  readonly browserOnline: boolean;
}

export type ConnectionEvent =
  | { type: 'connecting'; at: number }
  | { type: 'connected'; at: number }
  | { type: 'closed'; at: number }
  | { type: 'browserOnline'; online: boolean; at: number }
  /** The feed has been down for longer than the monitor's patience. */
  | { type: 'downTooLong'; at: number };

/** How long a lost feed shows "reconnecting" before it shows "offline" (it keeps retrying). */
export const OFFLINE_AFTER_MS = 20_000;

export const initialConnectionState = (at: number, browserOnline = true): ConnectionState => ({
  phase: browserOnline ? 'connecting' : 'offline',
  since: at,
  reconnects: 0,
  attempts: 0,
  everConnected: false,
  browserOnline,
});

const enter = (state: ConnectionState, phase: ConnectionPhase, at: number): ConnectionState =>
  state.phase === phase ? state : { ...state, phase, since: at };

/** The phase for a feed that is not connected: offline when the browser says so, else (re)connecting. */
function down(state: ConnectionState, at: number): ConnectionState {
  if (!state.browserOnline) return enter(state, 'offline', at);
  if (state.phase === 'offline') return state;
  return enter(state, state.everConnected ? 'reconnecting' : 'connecting', at);
}

export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case 'connecting':
      return down({ ...state, attempts: state.attempts + 1 }, event.at);
    case 'connected':
      return {
        ...enter(state, 'connected', event.at),
        attempts: 0,
        everConnected: true,
        reconnects: state.everConnected ? state.reconnects + 1 : state.reconnects,
      };
    case 'closed':
      return state.phase === 'connected' || state.phase === 'connecting' ? down(state, event.at) : state;
    case 'browserOnline': {
      const next = { ...state, browserOnline: event.online };
      if (state.phase === 'connected') return next;
      if (!event.online) return enter(next, 'offline', event.at);
      return enter(next, next.everConnected ? 'reconnecting' : 'connecting', event.at);
    }
    case 'downTooLong':
      return state.phase === 'connected' ? state : enter(state, 'offline', event.at);
  }
}

/**
 * The wait before reconnect attempt `retries` (0 for the first): exponential
 * from half a second, capped at 8 seconds, with "equal jitter" so a restarted
 * server is not hit by every dashboard at the same instant.
 */
export function reconnectDelay(retries: number, random: () => number = Math.random): number {
  const ceiling = Math.min(8_000, 500 * 2 ** Math.min(retries, 10));
  return ceiling / 2 + random() * (ceiling / 2);
}
