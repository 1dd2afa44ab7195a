/** The benchmarks act as an operator, with a token on the secret the servers they start will use. */
import { signToken, signingKey } from '@orders/core';

const key = signingKey({ secret: process.env.AUTH_SECRET, production: false });

export const operatorToken = await signToken(key, { role: 'operator', subject: 'bench', expiresInSeconds: 6 * 3600 });
export const authorization = `Bearer ${operatorToken}`;
