import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { keepAlive } from './socket-keep-alive.ts';

class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  ping = vi.fn();
  close = vi.fn();
  terminate = vi.fn();
}

describe('keepAlive', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('keeps a socket that answers its pings', () => {
    const socket = new FakeSocket();
    keepAlive(socket as unknown as WebSocket, 100, vi.fn(), 1013);
    for (let i = 0; i < 5; i += 1) {
      vi.advanceTimersByTime(100);
      socket.emit('pong');
    }
    expect(socket.ping).toHaveBeenCalledTimes(5);
    expect(socket.close).not.toHaveBeenCalled();
    expect(socket.terminate).not.toHaveBeenCalled();
  });

  it('closes a client that stopped reading with output waiting as too slow, and says so', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5_000_000;
    const stalled = vi.fn();
    keepAlive(socket as unknown as WebSocket, 100, stalled, 1013);
    vi.advanceTimersByTime(200);
    expect(stalled).toHaveBeenCalledWith(5_000_000);
    expect(socket.close).toHaveBeenCalledWith(
      1013,
      'Try Again Later: the client stopped reading (5000000 bytes not yet read); resume with the last cursor',
    );
    expect(socket.terminate).not.toHaveBeenCalled();
  });

  it('closes a client that answers no ping while output was sent to it, even with all of it in the kernel', () => {
    const socket = new FakeSocket();
    let sent = 0;
    const stalled = vi.fn();
    keepAlive(socket as unknown as WebSocket, 100, stalled, 1013, () => sent);
    vi.advanceTimersByTime(100);
    sent += 5;
    vi.advanceTimersByTime(100);
    expect(stalled).toHaveBeenCalledWith(0);
    expect(socket.close).toHaveBeenCalledTimes(1);
    expect(socket.terminate).not.toHaveBeenCalled();
  });

  it('terminates a dead link with nothing waiting, as graphql-ws does', () => {
    const socket = new FakeSocket();
    const stalled = vi.fn();
    keepAlive(socket as unknown as WebSocket, 100, stalled, 1013);
    vi.advanceTimersByTime(200);
    expect(socket.terminate).toHaveBeenCalledTimes(1);
    expect(stalled).not.toHaveBeenCalled();
  });
});
