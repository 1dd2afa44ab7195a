/**
 * The pipeline benchmark's search for the highest sustained rate: a ladder of fixed rates, each on a
 * fresh server and processor, and with `--against <commit>` the same search on another commit's
 * checkout, alternated with this one's; then each side at half its rate for the latency target.
 */
import type { Checkout } from '../lib/checkout.ts';
import { runPipeline, startSystem, sustained, type PipelineResult } from './pipeline.ts';

export interface PipelineSide {
  ladder: PipelineResult[];
  highestSustained: number;
  latencyRun: PipelineResult | null;
}

export interface PipelineSection extends PipelineSide {
  /** The same search for another commit, alternated with this one's in the same run (`--against <commit>`). */
  against?: PipelineSide & { commit: string };
  /** The payment service's latency, p50/p99 in ms, when the run had a slow one (`--payments-latency`). */
  paymentsLatency?: string;
}

export interface RunOptions {
  /** Shorter runs and fewer rates, for a smoke run. */
  readonly quick: boolean;
  readonly step: (message: string) => void;
  /** Settings for every server and processor of the run (a payment service of the run's own). */
  readonly env?: Record<string, string>;
}

/** One run at `rate` on a system of its own (another checkout's with `side`), stopped after. */
export async function pipelineAt(
  rate: number,
  run: RunOptions,
  options: { profileDir?: string; side?: Checkout } = {},
): Promise<PipelineResult> {
  const system = await startSystem('bench_pipeline', {
    profileDir: options.profileDir,
    root: options.side?.root,
    env: run.env,
  });
  try {
    const result = await runPipeline(system, {
      rate,
      seconds: run.quick ? 4 : 10,
      drainSeconds: run.quick ? 10 : 20,
      warmupSeconds: run.quick ? 1 : 3,
    });
    run.step(
      `pipeline${options.side ? ` (${options.side.commit})` : ''} ${rate}/s: ${result.finished}/${result.sent} finished, ` +
        `${result.finalPerSec}/s final, p99 to subscriber ${result.toSubscriber.p99} ms, ` +
        `${result.dbPerOrder.operations} database operations per order${sustained(result) ? '' : ' (not sustained)'}`,
    );
    return result;
  } finally {
    await system.stop();
  }
}

/**
 * One side's search for its highest sustained rate: a ladder of fixed rates up to the first one not
 * sustained, then halving the gap between the last two, a few times.
 */
class RateSearch {
  readonly ladder: PipelineResult[] = [];
  best = 0;
  private over: number | undefined;
  private halvings = 0;

  constructor(
    private readonly climb: number[],
    private readonly maxHalvings: number,
  ) {}

  next(): number | undefined {
    if (this.over === undefined) return this.climb.shift();
    if (this.halvings >= this.maxHalvings || this.over - this.best <= 10) return undefined;
    return Math.round((this.best + this.over) / 2);
  }

  record(result: PipelineResult): void {
    this.ladder.push(result);
    const climbing = this.over === undefined;
    if (sustained(result)) this.best = result.offeredRate;
    else this.over = result.offeredRate;
    if (!climbing) this.halvings += 1;
  }
}

/**
 * The highest sustained rate of this checkout and, with `against`, of another commit's, their runs
 * alternated (each round, the other side goes first) so that both meet the same machine; then each at
 * half its rate for the latency target.
 */
export async function pipelineSection(run: RunOptions, against?: Checkout): Promise<PipelineSection> {
  const sides = [undefined, ...(against ? [against] : [])].map((side) => ({
    side,
    search: new RateSearch(run.quick ? [50, 100] : [100, 250, 500, 1000], run.quick ? 1 : 3),
  }));
  for (let round = 0; ; round++) {
    let ran = false;
    for (const { side, search } of round % 2 === 0 ? sides : [...sides].reverse()) {
      const rate = search.next();
      if (rate === undefined) continue;
      search.record(await pipelineAt(rate, run, { side }));
      ran = true;
    }
    if (!ran) break;
  }
  const finish = async ({ side, search }: (typeof sides)[number]): Promise<PipelineSide> => {
    // The latency target: at half the sustained rate, 200 orders per second at most.
    const latencyRate = Math.min(200, Math.max(1, Math.floor(search.best / 2)));
    const latencyRun = search.best > 0 ? await pipelineAt(latencyRate, run, { side }) : null;
    return {
      ladder: search.ladder.sort((a, b) => a.offeredRate - b.offeredRate),
      highestSustained: search.best,
      latencyRun,
    };
  };
  const mine = await finish(sides[0]!);
  if (sides[1] === undefined || against === undefined) return mine;
  const theirs = await finish(sides[1]);
  return { ...mine, against: { commit: against.commit, ...theirs } };
}
