import type { Producer, Transaction } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@orders/core';
import { RenewableProducer } from './renewable-producer.ts';

/** A stand-in for kafkajs' producer that records what happens to it; `abortFails` breaks its aborts. */
function fakeProducer(name: string, log: string[], abortFails: boolean) {
  const transaction = {
    commit: async () => void log.push(`${name}: commit`),
    abort: async () => {
      log.push(`${name}: abort`);
      if (abortFails) throw new Error('broker away');
    },
  } as unknown as Transaction;
  return {
    connect: async () => void log.push(`${name}: connect`),
    disconnect: async () => void log.push(`${name}: disconnect`),
    transaction: async () => {
      log.push(`${name}: transaction`);
      return transaction;
    },
  } as unknown as Producer;
}

const logger = createLogger('processor', 'error');

describe('RenewableProducer', () => {
  it('replaces a producer whose abort failed, and keeps one whose abort worked', async () => {
    const log: string[] = [];
    let made = 0;
    const renewable = new RenewableProducer(() => {
      made++;
      return fakeProducer(`p${made}`, log, made === 1);
    }, logger);
    await renewable.connect();

    const failing = async () => {
      throw new Error('send failed');
    };
    await expect(renewable.inTransaction(failing)).rejects.toThrow('send failed');
    await renewable.inTransaction((transaction) => transaction.commit());
    await expect(renewable.inTransaction(failing)).rejects.toThrow('send failed');
    await renewable.inTransaction((transaction) => transaction.commit());
    await renewable.disconnect();

    expect(log).toEqual([
      'p1: connect',
      'p1: transaction',
      'p1: abort',
      'p1: disconnect',
      'p2: connect',
      'p2: transaction',
      'p2: commit',
      'p2: transaction',
      'p2: abort',
      'p2: transaction',
      'p2: commit',
      'p2: disconnect',
    ]);
  });

  it('renews a producer on request: the old one disconnects, a new one connects and begins a transaction before renew resolves', async () => {
    const log: string[] = [];
    let made = 0;
    const renewable = new RenewableProducer(() => fakeProducer(`p${++made}`, log, false), logger);
    await renewable.connect();
    await renewable.renew();
    log.push('renewed');
    await renewable.inTransaction((transaction) => transaction.commit());
    await renewable.disconnect();
    // The fresh producer's first transaction is where kafkajs asks the broker for its producer id.
    const renewing = log.slice(0, log.indexOf('renewed'));
    expect(renewing.join(', ')).toBe('p1: connect, p1: disconnect, p2: connect, p2: transaction, p2: abort');
    expect(log.slice(renewing.length + 1)).toEqual(['p2: transaction', 'p2: commit', 'p2: disconnect']);
  });
});
