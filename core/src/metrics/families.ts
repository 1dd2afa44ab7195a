/**
 * Metric families in a prom-client registry, each declared in one call: a
 * counter, a gauge or a histogram by name, help and label names (a histogram
 * with its buckets), or one whose value is read at each scrape. Beside them,
 * what every process of the system registers alike: the reconnects of its
 * Redis connections and Kafka clients, and the default process metrics.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/** A family's registry, name, help text and label names, in the order the helpers take them. */
type Family<Label extends string> = [registry: Registry, name: string, help: string, ...labels: Label[]];

const configuration = <Label extends string>(...[registry, name, help, ...labelNames]: Family<Label>) => ({
  name,
  help,
  labelNames,
  registers: [registry],
});

/** A family's value read at each scrape: `this` is the family. */
type Collect<Metric> = (this: Metric) => void | Promise<void>;

export const counter = <Label extends string = never>(...family: Family<Label>) =>
  new Counter<Label>(configuration(...family));

export const gauge = <Label extends string = never>(...family: Family<Label>) =>
  new Gauge<Label>(configuration(...family));

export function histogram<Label extends string = never>(
  registry: Registry,
  name: string,
  help: string,
  buckets: number[],
  ...labels: Label[]
): Histogram<Label> {
  return new Histogram<Label>({ ...configuration(registry, name, help, ...labels), buckets });
}

/** A counter whose value `collect` sets at each scrape. */
export function scrapedCounter(registry: Registry, name: string, help: string, collect: Collect<Counter>): Counter {
  return new Counter({ ...configuration(registry, name, help), collect });
}

/** A gauge whose value `collect` sets at each scrape, by `labels`. */
export function scrapedGauge<Label extends string = never>(
  registry: Registry,
  name: string,
  help: string,
  collect: Collect<Gauge<Label>>,
  ...labels: Label[]
): Gauge<Label> {
  return new Gauge<Label>({ ...configuration(registry, name, help, ...labels), collect });
}

/** The reconnects of a process's Redis connections and Kafka clients. */
export interface ReconnectMetrics {
  /** `redis_reconnects_total`, by connection. */
  readonly redis: Counter<'connection'>;
  /** `kafka_reconnects_total`, by client. */
  readonly kafka: Counter<'client'>;
}

/**
 * Registers what every process of the system shows alike: `redis_reconnects_total`
 * (by connection) and `kafka_reconnects_total` (by client), worded once so that
 * both processes describe them alike, then the default process metrics.
 */
export function registerProcessMetrics(registry: Registry): ReconnectMetrics {
  const reconnects = {
    redis: counter(
      registry,
      'redis_reconnects_total',
      'Times a Redis connection was lost and opened again, by connection.',
      'connection',
    ),
    kafka: counter(
      registry,
      'kafka_reconnects_total',
      'Times a Kafka client connected again after its first connection (a renewed producer, a consumer restarted after a crash), by client.',
      'client',
    ),
  };
  collectDefaultMetrics({ register: registry });
  return reconnects;
}
