/**
 * What an operator must be told about the pipeline, from the consumer group's
 * latest samples and what the processors say they wait on: no processor in the
 * group, a lag that keeps rising, a group Kafka would not describe, a payment
 * breaker that is not closed, or partitions paused until something is back.
 * Each warning has a fixed code for clients and a message that says what to do.
 */
import type { ProcessorState } from '@orders/core';
import type { GroupHealth } from './consumer-lag.ts';
import { processorWarnings } from './processor-warnings.ts';

export const PIPELINE_WARNING_CODES = [
  'NO_PROCESSOR',
  'LAG_GROWING',
  'KAFKA_UNREACHABLE',
  'PAYMENTS_UNAVAILABLE',
  'PIPELINE_PAUSED',
] as const;
export type PipelineWarningCode = (typeof PIPELINE_WARNING_CODES)[number];

export interface PipelineWarning {
  readonly code: PipelineWarningCode;
  readonly message: string;
}

/** The lag is growing when it rose from each sample to the next over this many samples. */
export const LAG_GROWING_SAMPLES = 4;

/** Whether the last LAG_GROWING_SAMPLES total lags (oldest first) rose at every step. */
export function lagIsGrowing(totals: readonly number[]): boolean {
  if (totals.length < LAG_GROWING_SAMPLES) return false;
  const recent = totals.slice(-LAG_GROWING_SAMPLES);
  return recent.every((total, i) => i === 0 || total > recent[i - 1]!);
}

export interface WarningInput {
  /** The group as last read; null when Kafka could not be asked. */
  readonly group: GroupHealth | null;
  /** Why Kafka could not be asked, when it could not. */
  readonly unreachable?: string;
  /** The total lag of the latest samples, oldest first. */
  readonly lagHistory: readonly number[];
  readonly groupId: string;
  readonly sampleIntervalMs: number;
  /** What each live processor says it waits on; empty when none says anything (or they could not be read). */
  readonly processors?: readonly ProcessorState[];
  /** The topic the processors consume, for the words of a pause. */
  readonly topic?: string;
  readonly now?: number;
}

export function pipelineWarnings(input: WarningInput): PipelineWarning[] {
  const { group, lagHistory } = input;
  const waits = processorWarnings(input.processors ?? [], input.topic ?? 'orders.created', input.now);
  if (group === null) {
    return [
      {
        code: 'KAFKA_UNREACHABLE',
        message: `Kafka did not describe the consumer group ${input.groupId} (${input.unreachable ?? 'no answer'}): the lag and the processors are unknown. Check that the broker is up.`,
      },
      ...waits,
    ];
  }
  const warnings: PipelineWarning[] = [];
  if (group.members === 0) {
    const waiting = group.totalLag === 0 ? 'no order waits yet, but' : `${group.totalLag} messages wait and`;
    warnings.push({
      code: 'NO_PROCESSOR',
      message: `No processor is in the consumer group ${input.groupId}: ${waiting} no new order will be decided. Start a processor.`,
    });
  }
  if (lagIsGrowing(lagHistory)) {
    const recent = lagHistory.slice(-LAG_GROWING_SAMPLES);
    const seconds = Math.round(((LAG_GROWING_SAMPLES - 1) * input.sampleIntervalMs) / 1000);
    warnings.push({
      code: 'LAG_GROWING',
      message: `The consumer lag rose in each of the last ${LAG_GROWING_SAMPLES} samples (from ${recent[0]} to ${recent.at(-1)} messages in ${seconds} s): orders arrive faster than they are decided. ${group.members === 0 ? 'Start a processor.' : 'Look at the processors, or start more (one per partition at most).'}`,
    });
  }
  return [...warnings, ...waits];
}
