/** The live feed's state for components, and a hook for views that must catch up after a reconnect. */
import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { ConnectionMonitor } from './connection-monitor.ts';
import type { ConnectionState } from './connection-state.ts';

const MonitorContext = createContext<ConnectionMonitor | null>(null);

export function ConnectionProvider({ monitor, children }: { monitor: ConnectionMonitor; children: ReactNode }) {
  return <MonitorContext.Provider value={monitor}>{children}</MonitorContext.Provider>;
}

function useMonitor(): ConnectionMonitor {
  const monitor = useContext(MonitorContext);
  if (!monitor) throw new Error('useConnectionState needs a <ConnectionProvider> above it');
  return monitor;
}

/** The feed's current phase ('connecting' | 'connected' | 'reconnecting' | 'offline') and its counters. */
export function useConnectionState(): ConnectionState {
  const monitor = useMonitor();
  return useSyncExternalStore(monitor.subscribe, monitor.getSnapshot);
}

/**
 * Calls `catchUp` each time the feed connects again after a loss: events sent
 * while it was away are gone, so the view must reread what it shows.
 *
 * @example
 * useCatchUp(() => reexecuteQuery({ requestPolicy: 'network-only' }));
 */
export function useCatchUp(catchUp: () => void): void {
  const { reconnects } = useConnectionState();
  const latest = useRef(catchUp);
  const seen = useRef(reconnects);
  useEffect(() => {
    latest.current = catchUp;
  });
  useEffect(() => {
    if (reconnects === seen.current) return;
    seen.current = reconnects;
    latest.current();
  }, [reconnects]);
}
