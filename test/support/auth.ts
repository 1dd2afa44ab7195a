/**
 * Acting as an operator: a token on the secret the servers started here use
 * (AUTH_SECRET, or this checkout's development secret), as `npm run token` makes.
 */
import { signToken, signingKey, type TokenRequest } from '@orders/core';

const key = signingKey({ secret: process.env.AUTH_SECRET, production: false });

/** A token for `request` on the servers' secret. */
export const tokenFor = (request: TokenRequest): Promise<string> => signToken(key, request);

export const operatorToken = await tokenFor({ role: 'operator', subject: 'test-support', expiresInSeconds: 6 * 3600 });

/** The `Authorization` value of the operator token. */
export const authorization = `Bearer ${operatorToken}`;

/** The header (or graphql-ws connectionParams) for `token`: the operator's by default, none for null. */
export function bearer(token?: string | null): Record<string, string> {
  return token === null ? {} : { authorization: `Bearer ${token ?? operatorToken}` };
}
