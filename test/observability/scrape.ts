/**
 * Reading a process's `/metrics` as a test sees it: fetched over HTTP,
 * parsed by a Prometheus text-format parser (not by the code under test), and
 * summed over the samples whose labels match.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  readonly families: readonly ParsedFamily[];
  /** The sum of a counter's or gauge's samples with these labels; undefined when the family is missing. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum of a histogram's observation counts with these labels. */
  count(name: string, labels?: Record<string, string>): number | undefined;
  /** Each sample's labels and value, for a family with one label that varies (such as a partition). */
  samples(name: string): { labels: Record<string, string>; value: number }[];
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/plain')) {
    throw new Error(`${url} is not in the text format: ${response.headers.get('content-type')}`);
  }
  return parsed(text);
}

export function parsed(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  // The parser keeps only `le` of a histogram's labels (its flattening drops the others, and the
  // count and sum with them): histograms are read again as untyped series, `_count`, `_sum`, `_bucket`.
  const series = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  // Read so, one family comes back in pieces of the same name (a piece per label set): all are taken.
  const samplesOf = (name: string) => {
    const pieces = series.filter((candidate) => candidate.name === name);
    return pieces.length === 0 ? undefined : pieces.flatMap((piece) => piece.metrics);
  };
  const matching = (name: string, labels: Record<string, string>) =>
    samplesOf(name)?.filter((sample) =>
      Object.entries(labels).every(([key, wanted]) => sample.labels?.[key] === wanted),
    );
  return {
    families,
    value(name, labels = {}) {
      return matching(name, labels)?.reduce((sum, sample) => sum + Number(sample.value), 0);
    },
    count(name, labels = {}) {
      return matching(`${name}_count`, labels)?.reduce((sum, sample) => sum + Number(sample.value), 0);
    },
    samples(name) {
      return (samplesOf(name) ?? []).map((sample) => ({
        labels: { ...sample.labels },
        value: Number(sample.value),
      }));
    },
  };
}
