/**
 * The liveness check graphql-ws would make (a ping every `intervalMs`; a socket whose pong has not
 * come back by the next is ended), with the reason said and counted. A client that stopped reading
 * answers no ping either: when output was sent to it meanwhile (it may all sit in the kernel's
 * buffers, some MB on loopback, before the server holds any), it is closed as too slow (1013, the
 * words every transport uses) rather than cut off without a word, so that it is counted and, should
 * it read again before ws gives up on the close (30 s), told why. A link that was sent nothing is
 * dead: it is terminated, as graphql-ws does.
 */
import { WebSocket } from 'ws';

export const KEEP_ALIVE_MS = 12_000;

export function keepAlive(
  socket: WebSocket,
  intervalMs: number,
  onStalled: (bufferedBytes: number) => void,
  tooSlowCode: number,
  /** How many frames of output the socket has been sent so far. */
  sent: () => number = () => 0,
): void {
  let awaitingPong = false;
  let sentAtPing = 0;
  const pinger = setInterval(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (awaitingPong) {
      clearInterval(pinger);
      const bytes = socket.bufferedAmount;
      if (bytes === 0 && sent() === sentAtPing) return void socket.terminate();
      onStalled(bytes);
      socket.close(
        tooSlowCode,
        `Try Again Later: the client stopped reading (${bytes} bytes not yet read); resume with the last cursor`,
      );
      return;
    }
    awaitingPong = true;
    sentAtPing = sent();
    socket.ping();
  }, intervalMs);
  pinger.unref();
  socket.on('pong', () => (awaitingPong = false));
  socket.once('close', () => clearInterval(pinger));
}
