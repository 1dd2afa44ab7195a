import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authentication.ts';
import { signToken } from '@orders/core';

const key = new TextEncoder().encode('a test secret of at least thirty-two characters');

describe('createAuthenticator', () => {
  it('answers a token it verified before with the same viewer', async () => {
    const authenticator = createAuthenticator(key);
    const token = await signToken(key, { role: 'customer', customerId: 'cus_0001', expiresInSeconds: 60 });
    const first = await authenticator.viewerOf(`Bearer ${token}`);
    const again = await authenticator.viewerOf(`Bearer ${token}`);
    expect(first).toMatchObject({ role: 'customer', customerId: 'cus_0001' });
    expect(again).toBe(first);
  });

  it('still refuses a token whose signature is wrong, however often it comes', async () => {
    const authenticator = createAuthenticator(key);
    const token = await signToken(key, { role: 'operator', expiresInSeconds: 60 });
    const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    for (let i = 0; i < 2; i++) {
      await expect(authenticator.viewerOf(`Bearer ${forged}`)).rejects.toThrow(GraphQLError);
    }
  });

  it('verifies a remembered token again once it has expired, and says so', async () => {
    const authenticator = createAuthenticator(key);
    const token = await signToken(key, { role: 'operator', expiresInSeconds: 1 });
    expect(await authenticator.viewerOf(`Bearer ${token}`)).toMatchObject({ role: 'operator' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(authenticator.viewerOf(`Bearer ${token}`)).rejects.toThrow('the token has expired');
  });
});
