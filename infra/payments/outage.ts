/**
 * The outage switch, for tests and demos: while it is on, every call to the
 * payment API answers 503 (`errors`), is held without an answer until the
 * caller gives up (`hang`), or has its connection reset (`reset`). It ends by
 * itself after the given time, or when switched off.
 */
export type OutageMode = 'errors' | 'hang' | 'reset';

export class OutageSwitch {
  private mode: OutageMode | undefined;
  private until = Number.POSITIVE_INFINITY;

  start(mode: OutageMode, durationMs?: number): void {
    this.mode = mode;
    this.until = durationMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + durationMs;
  }

  stop(): void {
    this.mode = undefined;
  }

  /** The outage in force now, if any. */
  current(): OutageMode | undefined {
    if (this.mode !== undefined && Date.now() >= this.until) this.mode = undefined;
    return this.mode;
  }
}
