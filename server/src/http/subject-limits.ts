/**
 * What one token's subject may hold open on this server at once: WebSocket connections, and
 * subscriptions over every transport. A token copied to many clients, or a client that opens without
 * end, is refused beyond its share instead of taking the server's memory from everyone else.
 */
import type { Viewer } from '@orders/core';

export interface SubjectLimitsOptions {
  readonly maxConnections: number;
  readonly maxSubscriptions: number;
}

/** What is counted per subject. */
export type SubjectLimit = 'connections' | 'subscriptions';

/** Released once, however many times it is called. */
export type Release = () => void;

export class SubjectLimits {
  private readonly held: Record<SubjectLimit, Map<string, number>> = {
    connections: new Map(),
    subscriptions: new Map(),
  };

  constructor(private readonly options: SubjectLimitsOptions) {}

  /** The most a subject may hold of `limit`. */
  max(limit: SubjectLimit): number {
    return limit === 'connections' ? this.options.maxConnections : this.options.maxSubscriptions;
  }

  /** How many `limit` a subject holds now. */
  holding(limit: SubjectLimit, subject: string): number {
    return this.held[limit].get(subject) ?? 0;
  }

  /** One more of `limit` for the viewer's subject, or undefined when it holds its most already. */
  acquire(limit: SubjectLimit, viewer: Viewer): Release | undefined {
    const counts = this.held[limit];
    const key = `${viewer.role}:${viewer.subject}`;
    const holding = counts.get(key) ?? 0;
    if (holding >= this.max(limit)) return undefined;
    counts.set(key, holding + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (counts.get(key) ?? 1) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
    };
  }
}

/** The words of a refusal, the same on every transport. */
export function subjectLimitMessage(limit: SubjectLimit, max: number): string {
  return limit === 'connections'
    ? `this token's subject already holds ${max} WebSocket connections, the most allowed`
    : `this token's subject already holds ${max} subscriptions, the most allowed`;
}
