/**
 * The warnings from what the processors say they wait on (core's processor states): a payment
 * breaker that is not closed (PAYMENTS_UNAVAILABLE) and partitions paused until what they need is
 * back (PIPELINE_PAUSED, one sentence per cause). Neither fails an order: both say that orders wait.
 */
import type { ProcessorState, SharedPause } from '@orders/core';
import type { PipelineWarning } from './pipeline-warnings.ts';

/** How many processors a warning names before it counts the rest. */
const NAMED = 3;

const BREAKER_WORDS: Record<string, string> = {
  open: 'open',
  half_open: 'half-open (one trial call at a time)',
  isolated: 'held open',
};

/** What a cause of pause waits on, and the words before its reason. */
const CAUSE_WORDS: Record<string, { on: string; reason: string; back: string }> = {
  payments: { on: 'the payment service', reason: 'payment service unavailable', back: 'when it answers again' },
  database: { on: 'the database', reason: 'MongoDB unreachable', back: 'when it is back' },
  kafka: { on: 'Kafka', reason: 'Kafka unreachable', back: 'when it is back' },
  redis: { on: 'Redis', reason: 'Redis unreachable', back: 'when it is back' },
  other: {
    on: 'an error that keeps coming back',
    reason: 'error',
    back: "once a try succeeds; the processor's log has each try",
  },
};
const CAUSE_ORDER = Object.keys(CAUSE_WORDS);

/** "12:01:03 UTC" today (UTC), "2026-12-06 12:01:03 UTC" before. */
export function clockTime(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const [date, time] = at.toISOString().split('T') as [string, string];
  const today = new Date(now).toISOString().slice(0, 10);
  return `${date === today ? '' : `${date} `}${time.slice(0, 8)} UTC`;
}

const names = (items: readonly string[]): string =>
  items.length <= NAMED ? items.join(', ') : `${items.slice(0, NAMED).join(', ')} and ${items.length - NAMED} more`;

function breakerWarning(processors: readonly ProcessorState[], now: number): PipelineWarning | undefined {
  const notClosed = processors.filter((state) => state.breaker !== 'closed');
  if (notClosed.length === 0) return undefined;
  const which = names(
    notClosed.map(
      (state) =>
        `${state.instance} ${BREAKER_WORDS[state.breaker] ?? state.breaker} since ${clockTime(state.breakerSince, now)}`,
    ),
  );
  const on = `${notClosed.length} of ${processors.length} processor${processors.length === 1 ? '' : 's'}`;
  return {
    code: 'PAYMENTS_UNAVAILABLE',
    message: `The payment service breaker is not closed on ${on} (${which}): their orders wait for payment, none is failed for it, and the breaker tries the service again by itself. Check that the payment service is up and answers (PAYMENTS_URL).`,
  };
}

/** Each paused partition once: when two processors name one (a rebalance under way), the latest says. */
function pausedPartitions(processors: readonly ProcessorState[]): SharedPause[] {
  const byPartition = new Map<number, { pause: SharedPause; at: string }>();
  for (const state of processors) {
    for (const pause of state.paused) {
      const known = byPartition.get(pause.partition);
      if (known === undefined || known.at < state.at) byPartition.set(pause.partition, { pause, at: state.at });
    }
  }
  return [...byPartition.values()].map(({ pause }) => pause).sort((a, b) => a.partition - b.partition);
}

function pauseSentence(cause: string, pauses: readonly SharedPause[], topic: string, now: number): string {
  const words = CAUSE_WORDS[cause] ?? CAUSE_WORDS.other!;
  const first = pauses.reduce((earliest, pause) => (pause.since < earliest.since ? pause : earliest));
  const one = pauses.length === 1;
  const partitions = pauses.map((pause) => pause.partition).join(', ');
  const count = one
    ? `1 partition of ${topic} (${partitions}) waits`
    : `${pauses.length} partitions of ${topic} (${partitions}) wait`;
  const resume = one ? 'it resumes by itself' : 'they resume by themselves';
  return `${count} on ${words.on} (${words.reason}: ${first.reason}) since ${clockTime(first.since, now)}; ${resume} ${words.back}.`;
}

function pauseWarning(processors: readonly ProcessorState[], topic: string, now: number): PipelineWarning | undefined {
  const paused = pausedPartitions(processors);
  if (paused.length === 0) return undefined;
  const byCause = new Map<string, SharedPause[]>();
  for (const pause of paused) byCause.set(pause.cause, [...(byCause.get(pause.cause) ?? []), pause]);
  const causes = [...byCause.keys()].sort((a, b) => rank(a) - rank(b));
  return {
    code: 'PIPELINE_PAUSED',
    message: causes.map((cause) => pauseSentence(cause, byCause.get(cause)!, topic, now)).join(' '),
  };
}

const rank = (cause: string) => {
  const at = CAUSE_ORDER.indexOf(cause);
  return at < 0 ? CAUSE_ORDER.length : at;
};

export function processorWarnings(
  processors: readonly ProcessorState[],
  topic: string,
  now = Date.now(),
): PipelineWarning[] {
  return [breakerWarning(processors, now), pauseWarning(processors, topic, now)].filter(
    (warning): warning is PipelineWarning => warning !== undefined,
  );
}
