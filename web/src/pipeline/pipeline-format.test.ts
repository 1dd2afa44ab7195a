import { describe, expect, it } from 'vitest';
import { formatLatency, formatRate, warningSeverity, warningTitle } from './pipeline-format.ts';

describe('the pipeline figures on screen', () => {
  it('show a rate with one decimal below ten per second and none above', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.34)).toBe('0.3');
    expect(formatRate(4)).toBe('4.0');
    expect(formatRate(138.4)).toBe('138');
  });

  it('show a latency in the unit that reads best, and a dash without one', () => {
    expect(formatLatency(null)).toBe('—');
    expect(formatLatency(0.0004)).toBe('1 ms');
    expect(formatLatency(0.085)).toBe('85 ms');
    expect(formatLatency(1.44)).toBe('1.4 s');
    expect(formatLatency(12.4)).toBe('12 s');
    expect(formatLatency(185)).toBe('3 min 5 s');
  });

  it('name each warning, an unknown code included, and make a missing processor an error', () => {
    expect(warningTitle('NO_PROCESSOR')).toBe('No processor is running');
    expect(warningTitle('LAG_GROWING')).toBe('Consumer lag is growing');
    expect(warningTitle('SOMETHING_NEW')).toBe('Pipeline warning');
    expect(warningSeverity('NO_PROCESSOR')).toBe('error');
    expect(warningSeverity('LAG_GROWING')).toBe('warning');
  });

  it('name an open payment breaker and paused partitions as warnings: their orders wait, none fails', () => {
    expect(warningTitle('PAYMENTS_UNAVAILABLE')).toBe('Payments unavailable: orders wait');
    expect(warningTitle('PIPELINE_PAUSED')).toBe('Partitions paused');
    expect(warningSeverity('PAYMENTS_UNAVAILABLE')).toBe('warning');
    expect(warningSeverity('PIPELINE_PAUSED')).toBe('warning');
  });
});
