import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { bridge } from './kafka.ts';
import { createLogger } from './log.ts';

function captured() {
  const lines: { level: string; msg: string }[] = [];
  const logger = createLogger('test', 'debug', {}, (line) => lines.push(JSON.parse(line) as never));
  const log = bridge(logger)(logLevel.DEBUG);
  const entry = (level: logLevel, message: string, error?: string) =>
    log({ namespace: 'test', level, label: 'ERROR', log: { message, timestamp: '', ...(error ? { error } : {}) } });
  return { lines, entry };
}

describe('kafkajs logs', () => {
  it('keeps errors as errors', () => {
    const { lines, entry } = captured();
    entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['error', 'kafka: Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
    ]);
  });

  it('logs the routine refusal of a transaction begun while the last one commits at debug, not as an error', () => {
    const { lines, entry } = captured();
    const refusal =
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    entry(logLevel.ERROR, 'Response AddPartitionsToTxn(key: 24, version: 1)', refusal);
    entry(logLevel.ERROR, `Failed to send messages: ${refusal}`);
    expect(lines.map((line) => line.level)).toEqual(['debug', 'debug']);
  });
});
