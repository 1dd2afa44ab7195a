/** What the services command needs to know of each server it runs natively. */
export interface NativeService {
  readonly name: string;
  readonly port: number;
  /** How long a cold start may take before it counts as failed. */
  readonly startTimeoutMs: number;
  /** Downloads, builds or formats what the server needs; a no-op once done. */
  prepare(): Promise<void>;
  /** Starts the server in the background and returns its pid. */
  start(): number;
  /** Resolves only when the server does real work (a produce and fetch, an insert, a PING). */
  probe(): Promise<void>;
  /** Work to do once the server is ready, such as creating topics. */
  afterReady?(): Promise<void>;
}
