import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { NO_TRUSTED_PROXIES, clientAddress, isLoopbackAddress, trustedProxies } from './client-address.ts';

/** A request as the HTTP server gives it: the socket's peer and the headers (only what clientAddress reads). */
const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('203.0.113.9', '127.0.0.1'), NO_TRUSTED_PROXIES)).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', '203.0.113.9'), NO_TRUSTED_PROXIES)).toBe('127.0.0.1');
  });

  it('ignores a forged X-Forwarded-For from a peer that is not a trusted proxy', () => {
    const trusted = trustedProxies(['10.0.0.0/8']);
    expect(clientAddress(request('203.0.113.9', '127.0.0.1'), trusted)).toBe('203.0.113.9');
  });

  it('takes the forwarded address from a trusted proxy, read from the right past every trusted hop', () => {
    const trusted = trustedProxies(['10.0.0.0/8', '127.0.0.1']);
    expect(clientAddress(request('127.0.0.1', '198.51.100.7'), trusted)).toBe('198.51.100.7');
    // The client wrote "127.0.0.1" itself; the proxies appended what they saw.
    expect(clientAddress(request('10.1.1.1', '127.0.0.1, 198.51.100.7, 10.2.2.2'), trusted)).toBe('198.51.100.7');
  });

  it('reads IPv4-mapped IPv6 peers and IPv6 CIDRs', () => {
    const trusted = trustedProxies(['::1/128', 'fd00::/8']);
    expect(clientAddress(request('::1', '2001:db8::5'), trusted)).toBe('2001:db8::5');
    expect(clientAddress(request('fd12::3', '::ffff:192.0.2.4'), trusted)).toBe('192.0.2.4');
    expect(clientAddress(request('::ffff:127.0.0.1', '192.0.2.4'), trustedProxies(['127.0.0.0/8']))).toBe('192.0.2.4');
  });

  it('stops at an entry that is not an address, which then grants nothing', () => {
    const trusted = trustedProxies(['127.0.0.1']);
    const address = clientAddress(request('127.0.0.1', 'localhost'), trusted);
    expect(address).toBe('localhost');
    expect(isLoopbackAddress(address)).toBe(false);
  });

  it('is the proxy itself when a trusted proxy forwards nothing', () => {
    expect(clientAddress(request('10.0.0.5'), trustedProxies(['10.0.0.0/8']))).toBe('10.0.0.5');
  });
});

describe('trustedProxies', () => {
  it('refuses an entry that is neither an address nor a CIDR', () => {
    expect(() => trustedProxies(['10.0.0.0/40'])).toThrow(/prefix length must be 0 to 32/);
    expect(() => trustedProxies(['proxy.local'])).toThrow(/not an IP address or a CIDR/);
  });
});

describe('isLoopbackAddress', () => {
  it('knows 127.0.0.0/8, ::1 and their IPv4-mapped form, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(address)).toBe(true);
    }
    for (const address of ['10.0.0.1', '::2', '128.0.0.1', '']) expect(isLoopbackAddress(address)).toBe(false);
  });
});
