/**
 * The pipeline's health, for operators: how fast orders are decided, how far
 * the processors are behind, how many processors run, the dead letters, and
 * warnings. A query for the first paint and a subscription that pushes a
 * sample every few seconds while anyone listens.
 */
import type { PartitionLag as Lag } from '../pipeline/consumer-lag.ts';
import { operatorsOnly } from '../auth/access.ts';
import type { PipelineHealth as Health } from '../pipeline/pipeline-monitor.ts';
import type { PipelineWarningCode as Code, PipelineWarning as Warning } from '../pipeline/pipeline-warnings.ts';
import { RATE_SECONDS, WINDOW_SECONDS } from '../pipeline/decision-window.ts';
import { builder } from './builder.ts';

const PipelineWarningCode = builder.enumType('PipelineWarningCode', {
  description: 'What is wrong with the pipeline; new codes may be added.',
  values: {
    NO_PROCESSOR: { description: 'No processor is in the consumer group: no new order will be decided.' },
    LAG_GROWING: {
      description: 'The consumer lag rose in each of the last samples: orders arrive faster than they are decided.',
    },
    KAFKA_UNREACHABLE: {
      description: 'Kafka did not describe the consumer group: the lag and the processors are unknown.',
    },
    PAYMENTS_UNAVAILABLE: {
      description:
        "A processor's payment service breaker is open or half-open: its orders wait for payment (none is failed for it) until the service answers again. The message names the processors and since when.",
    },
    PIPELINE_PAUSED: {
      description:
        'Partitions of orders.created are paused because something they need is away (the payment service, MongoDB, Kafka, Redis or a recurring error): their orders wait and resume by themselves once it is back. The message groups the partitions by cause, with the reason and since when.',
    },
  } satisfies Record<Code, unknown>,
});

const PipelineWarning = builder.objectRef<Warning>('PipelineWarning').implement({
  description: 'A warning about the pipeline, for an operator to act on.',
  fields: (t) => ({
    code: t.field({
      type: PipelineWarningCode,
      description: 'What is wrong, as a fixed code.',
      resolve: (w) => w.code,
    }),
    message: t.exposeString('message', { description: 'What is wrong and what to do, in words.' }),
  }),
});

const PartitionLag = builder.objectRef<Lag>('PartitionLag').implement({
  description: "One partition of orders.created: the processors' committed offset against its log end.",
  fields: (t) => ({
    partition: t.exposeInt('partition', { description: 'The partition number.' }),
    lag: t.exposeInt('lag', {
      description: 'Messages written to the partition and not yet committed by the processors.',
    }),
    committedOffset: t.string({
      description:
        'The next offset the processors will read (the log start if they never committed). A string: offsets are 64-bit.',
      resolve: (p) => String(p.committed),
    }),
    endOffset: t.string({
      description: 'The offset the next message written will get. A string: offsets are 64-bit.',
      resolve: (p) => String(p.end),
    }),
  }),
});

const ConsumerLag = builder.objectRef<{ total: number; partitions: readonly Lag[] }>('ConsumerLag').implement({
  description: "How far the processors' consumer group is behind on orders.created.",
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Messages not yet committed by the processors, over every partition.' }),
    partitions: t.field({
      type: [PartitionLag],
      description: 'Each partition, by number.',
      resolve: (lag) => [...lag.partitions],
    }),
  }),
});

const PipelineHealth = builder.objectRef<Health>('PipelineHealth').implement({
  description: 'Whether orders are flowing: decisions, latency, consumer lag, processors, dead letters and warnings.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When these figures were read.', resolve: (h) => h.at }),
    decisionsPerSecond: t.float({
      description: `Orders decided (PROCESSED or FAILED) per second over the last ${RATE_SECONDS} seconds, as this server received their status events (over less while the server is younger).`,
      resolve: (h) => h.decisions.perSecond,
    }),
    decisionsLastMinute: t.int({
      description: `Orders decided in the last ${WINDOW_SECONDS} seconds, as this server received their status events.`,
      resolve: (h) => h.decisions.lastMinute,
    }),
    decisionLatencyP95Seconds: t.float({
      nullable: true,
      description: `The 95th percentile, in seconds, of the time from an order's creation (or its retry) to its decision, over the decisions of the last ${WINDOW_SECONDS} seconds (within 10 %); null without any.`,
      resolve: (h) => h.decisions.p95Seconds,
    }),
    consumerLag: t.field({
      type: ConsumerLag,
      nullable: true,
      description: "The processors' consumer lag on orders.created; null when Kafka did not answer (see warnings).",
      resolve: (h) => (h.group ? { total: h.group.totalLag, partitions: h.group.partitions } : null),
    }),
    processors: t.int({
      nullable: true,
      description: 'Processors (members) in the consumer group; null when Kafka did not answer.',
      resolve: (h) => h.group?.members ?? null,
    }),
    deadLetters: t.int({
      nullable: true,
      description:
        'Dead letters waiting for an operator (neither requeued nor discarded); null when they could not be counted.',
      resolve: (h) => h.deadLetters,
    }),
    warnings: t.field({
      type: [PipelineWarning],
      description: 'What an operator should act on now; empty when all is well.',
      resolve: (h) => [...h.warnings],
    }),
  }),
});

builder.queryField('pipelineHealth', (t) =>
  t.field({
    type: PipelineHealth,
    description: "The pipeline's health now. Operators only.",
    resolve: operatorsOnly('read the pipeline health', (_root, _args, { pipeline }) => pipeline.read()),
  }),
);

builder.subscriptionField('pipelineHealth', (t) =>
  t.field({
    type: PipelineHealth,
    description:
      "The pipeline's health now, then a fresh sample every 2 seconds (one sampler per server, shared by every subscriber). Operators only.",
    subscribe: operatorsOnly('follow the pipeline health', (_root, _args, { pipeline }) => pipeline.subscribe()),
    resolve: (health: Health) => health,
  }),
);
