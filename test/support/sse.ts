/**
 * A GraphQL-over-SSE client for tests, on node:http so that a test can stop
 * reading (pause the response, as a stalled browser tab does) and read again, and see the stream's
 * events as the server wrote them.
 */
import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export interface SseStream {
  readonly status: number;
  /** The events received so far, in order (a `next` event's data is its JSON result). */
  readonly events: SseEvent[];
  /** The `next` events' results. */
  results(): {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  }[];
  /** Resolves once the server ended the response. */
  readonly ended: Promise<void>;
  pause(): void;
  resume(): void;
  close(): void;
}

export function openSse(
  graphqlUrl: string,
  query: string,
  token: string,
  variables: Record<string, unknown> = {},
): Promise<SseStream> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      graphqlUrl,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
      },
      (res: IncomingMessage) => {
        const events: SseEvent[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            // As an EventSource does: a block without data (a comment, a ping, a lone `event:` line) is no event.
            if (data.length > 0) events.push({ event, data: data.join('\n') });
          }
        });
        const ended = new Promise<void>((done) => {
          res.once('end', done);
          res.once('close', done);
          res.once('error', () => done());
        });
        resolve({
          status: res.statusCode ?? 0,
          events,
          results: () =>
            events
              .filter((e) => e.event === 'next')
              .map((e) => JSON.parse(e.data) as ReturnType<SseStream['results']>[number]),
          ended,
          pause: () => void res.pause(),
          resume: () => void res.resume(),
          close: () => void req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
