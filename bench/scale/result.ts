/** What the scale benchmark measures for each size, and the targets it holds the largest to. */
import type { Summary } from '../lib/latency.ts';
import type { LoadResult } from '../lib/load.ts';

export const SCALE_TARGETS = {
  reindexSeconds: 300,
  redisBytesPerOrder: 500,
  startToReadyMs: 3000,
  serverRssMb: 250,
  firstPageP99Ms: 25,
  deepPageP99Ms: 25,
  statsP99Ms: 10,
  resumeFirstP99Ms: 100,
} as const;

export interface ScaleSize {
  orders: number;
  /** Orders per status as written. */
  statuses: Record<string, number>;
  insert: { seconds: number; perSec: number };
  reindex: {
    /** From spawning `npm run reindex` to its exit. */
    seconds: number;
    perSec: number;
    /** What the tool reports for the rebuild itself: streaming and applying, without its start, connections and exit. */
    rebuildSeconds: number;
    /**
     * Why `npm run reindex` failed, when it did; the figures are then those of `rebuildIndex` run in this
     * process without the tool's lock, and how long its first 10,000 orders took.
     */
    toolError?: string;
    firstTenThousandSeconds?: number;
    /** CPU seconds each store's server used while it ran. */
    cpuSeconds: Record<string, number>;
  };
  redis: { usedMemoryBefore: number; usedMemoryAfter: number; bytesPerOrder: number };
  /** A server started on the index and topics as they are: from spawn to `/ready` answering 200. */
  startToReadyMs: number;
  /** The first start on this prefix, which also creates its Kafka topics. */
  firstStartToReadyMs: number;
  /** The server's VmRSS once ready, and once the query load is over, in MB. */
  serverRssAtReadyMb: number;
  serverRssMb: number;
  firstPage: LoadResult;
  /** CPU ms per request of the first-page load, by process (the load generator included). */
  firstPageCpuMsPerRequest: Record<string, number>;
  /** How many PROCESSED orders come before the page read with `after:`. */
  deepPageDepth: number;
  deepPage: LoadResult;
  stats: LoadResult;
  resume: {
    /** Changes in the logs when the cursors were made, and how many follow each cursor. */
    logged: number;
    changesBack: number;
    subscriptions: number;
    /** From sending the subscription to its first missed change. */
    toFirst: Summary;
    /** From sending it to the last of the missed changes. */
    toAll: Summary;
    /** Subscriptions that did not receive every missed change, in order, within the time allowed. */
    incomplete: number;
  };
}

export interface ScaleResult {
  sizes: ScaleSize[];
  seconds: number;
  connections: number;
  /** Each figure at the largest size over the same at the smallest. */
  growth: Record<string, number>;
  targets: typeof SCALE_TARGETS;
}
