/**
 * Holds the live feed's ConnectionState for React (`useSyncExternalStore`) and
 * turns a long outage into "offline". graphql-ws and the browser report to it.
 */
import {
  OFFLINE_AFTER_MS,
  initialConnectionState,
  nextConnectionState,
  type ConnectionEvent,
  type ConnectionState,
} from './connection-state.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class ConnectionMonitor {
  private state: ConnectionState;
  private readonly listeners = new Set<() => void>();
  private offlineTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    browserOnline = true,
    private readonly now: () => number = Date.now,
  ) {
    this.state = initialConnectionState(now(), browserOnline);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): ConnectionState => this.state;

  report(event: DistributiveOmit<ConnectionEvent, 'at'>): void {
    const next = nextConnectionState(this.state, { ...event, at: this.now() } as ConnectionEvent);
    if (next === this.state) return;
    const wasDown = this.state.phase !== 'connected';
    this.state = next;
    const isDown = next.phase !== 'connected';
    if (isDown && !wasDown) this.armOfflineTimer();
    if (!isDown) clearTimeout(this.offlineTimer);
    for (const listener of this.listeners) listener();
  }

  private armOfflineTimer(): void {
    clearTimeout(this.offlineTimer);
    this.offlineTimer = setTimeout(() => this.report({ type: 'downTooLong' }), OFFLINE_AFTER_MS);
  }
}
