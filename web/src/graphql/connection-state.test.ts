import { describe, expect, it } from 'vitest';
import {
  initialConnectionState,
  nextConnectionState,
  reconnectDelay,
  type ConnectionEvent,
  type ConnectionState,
} from './connection-state.ts';

const play = (...events: ConnectionEvent['type'][]): ConnectionState =>
  events.reduce(
    (state, type, at) =>
      nextConnectionState(
        state,
        type === 'browserOnline' ? { type, online: false, at } : ({ type, at } as ConnectionEvent),
      ),
    initialConnectionState(0),
  );

describe('the connection indicator’s state', () => {
  it('is connecting until the first connection, then connected', () => {
    expect(play('connecting').phase).toBe('connecting');
    expect(play('connecting', 'connected').phase).toBe('connected');
  });

  it('shows reconnecting after a connection is lost, while it retries', () => {
    expect(play('connecting', 'connected', 'closed').phase).toBe('reconnecting');
    expect(play('connecting', 'connected', 'closed', 'connecting', 'closed', 'connecting').phase).toBe('reconnecting');
  });

  it('counts a reconnect, so views know to catch up, but not the first connection', () => {
    expect(play('connecting', 'connected').reconnects).toBe(0);
    expect(play('connecting', 'connected', 'closed', 'connecting', 'connected').reconnects).toBe(1);
  });

  it('shows offline when the browser is offline or the feed has been down too long', () => {
    expect(play('connecting', 'connected', 'closed', 'browserOnline').phase).toBe('offline');
    expect(play('connecting', 'connected', 'closed', 'downTooLong').phase).toBe('offline');
    expect(play('connecting', 'connected', 'closed', 'downTooLong', 'connecting', 'connected').phase).toBe('connected');
  });

  it('ignores "down too long" once connected again', () => {
    expect(play('connecting', 'connected', 'downTooLong').phase).toBe('connected');
  });
});

describe('the reconnect backoff', () => {
  it('grows exponentially from half a second and stops growing at 8 seconds', () => {
    const ceiling = (retries: number) => reconnectDelay(retries, () => 1);
    expect([0, 1, 2, 3, 4, 5, 20].map(ceiling)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('waits at least half of the ceiling, so retries spread without hammering', () => {
    expect(reconnectDelay(3, () => 0)).toBe(2000);
  });
});
