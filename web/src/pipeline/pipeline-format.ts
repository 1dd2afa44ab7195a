/** How the Pipeline panel's figures read on screen: rates, latencies and the warnings' titles. */

/** Decisions per second: one decimal below 10, none above; "0" when nothing is decided. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toString();
}

/** A latency in seconds as "85 ms", "1.4 s", "12 s" or "3 min 5 s"; "—" without one. */
export function formatLatency(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** A warning's title by its code; a code this dashboard does not know yet still shows, with its message. */
export function warningTitle(code: string): string {
  switch (code) {
    case 'NO_PROCESSOR':
      return 'No processor is running';
    case 'LAG_GROWING':
      return 'Consumer lag is growing';
    case 'KAFKA_UNREACHABLE':
      return 'Kafka does not answer';
    case 'PAYMENTS_UNAVAILABLE':
      return 'Payments unavailable: orders wait';
    case 'PIPELINE_PAUSED':
      return 'Partitions paused';
    default:
      return 'Pipeline warning';
  }
}

/**
 * No processor stops every decision: an error. The rest are warnings: an open payment breaker or a
 * paused partition holds orders back, but none is failed for it and they resume by themselves.
 */
export const warningSeverity = (code: string): 'error' | 'warning' => (code === 'NO_PROCESSOR' ? 'error' : 'warning');
