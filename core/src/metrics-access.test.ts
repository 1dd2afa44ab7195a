import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { signToken } from './auth/tokens.ts';
import { metricsAccess } from './metrics-access.ts';

const key = new TextEncoder().encode('a test secret of at least thirty-two characters');
const request = (remoteAddress: string, authorization?: string) =>
  ({ socket: { remoteAddress }, headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
const tokenOf = (role: 'operator' | 'customer', expiresInSeconds = 60) =>
  signToken(key, { role, customerId: role === 'customer' ? 'cus_0001' : undefined, expiresInSeconds });

describe('who may read the metrics', () => {
  it('lets a caller on this machine in without a token, over IPv4 and IPv6', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect(await metricsAccess(request(address), key)).toEqual({ allowed: true });
    }
  });

  it('refuses another machine without a token with 401 and says how to get in', async () => {
    const access = await metricsAccess(request('10.1.2.3'), key);
    expect(access).toMatchObject({ allowed: false, status: 401, code: 'UNAUTHENTICATED' });
    expect(!access.allowed && access.message).toContain('operator token');
  });

  it('lets another machine in with an operator token, and refuses a customer token with 403', async () => {
    expect(await metricsAccess(request('10.1.2.3', `Bearer ${await tokenOf('operator')}`), key)).toEqual({
      allowed: true,
    });
    expect(await metricsAccess(request('10.1.2.3', `Bearer ${await tokenOf('customer')}`), key)).toMatchObject({
      allowed: false,
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('refuses a malformed or forged token with 401', async () => {
    expect(await metricsAccess(request('10.1.2.3', 'Basic abc'), key)).toMatchObject({ status: 401 });
    const forged = await signToken(new TextEncoder().encode('another secret, also thirty-two characters'), {
      role: 'operator',
      expiresInSeconds: 60,
    });
    expect(await metricsAccess(request('10.1.2.3', `Bearer ${forged}`), key)).toMatchObject({ status: 401 });
  });

  it('serves loopback only when the process checks no tokens, and says so', async () => {
    const access = await metricsAccess(request('10.1.2.3', `Bearer ${await tokenOf('operator')}`), undefined);
    expect(access).toMatchObject({ allowed: false, status: 403 });
    expect(!access.allowed && access.message).toContain('AUTH_SECRET');
  });
});
