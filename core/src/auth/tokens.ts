/**
 * Bearer tokens: JWTs signed with HS256 by a secret the server and the token
 * tools share. A token names a role (`operator`, or `customer` with the
 * customer's id) and expires. Anything else in it is ignored. Here in core
 * because the server checks them and the tools, `npm start`, the benchmarks
 * and the tests mint them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRootOf } from '../package-root.ts';
import { SignJWT, errors, jwtVerify } from 'jose';

const ISSUER = 'orders-realtime';
const AUDIENCE = 'orders-api';

export type Viewer =
  | { readonly role: 'operator'; readonly subject: string; readonly expiresAt: number }
  | { readonly role: 'customer'; readonly customerId: string; readonly subject: string; readonly expiresAt: number };

export type Role = Viewer['role'];

/** Where a development secret is kept when AUTH_SECRET is unset: the git-ignored `.data/` of the repository. */
export const devSecretFile = path.resolve(packageRootOf(import.meta.url), '../.data/auth-secret');

export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/**
 * The signing key: AUTH_SECRET when set; otherwise, outside production, a
 * development secret made once and kept in `file`, so that the server, `npm
 * run token` and `npm start` agree across restarts.
 */
export function signingKey(options: { secret?: string; production: boolean; file?: string }): Uint8Array {
  if (options.secret) return new TextEncoder().encode(options.secret);
  if (options.production) throw new TokenError('AUTH_SECRET must be set in production (32 characters or more)');
  const file = options.file ?? devSecretFile;
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // `wx`: of two processes starting at once, one writes and both read the same secret.
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}

export interface TokenRequest {
  role: Role;
  /** The customer's id, for the customer role. */
  customerId?: string;
  /** Who the token is for, in logs; defaults to the customer's id or "operator". */
  subject?: string;
  /** How long it is valid, in seconds. */
  expiresInSeconds: number;
}

export async function signToken(key: Uint8Array, request: TokenRequest): Promise<string> {
  if (request.role === 'customer' && !request.customerId) throw new TokenError('a customer token needs a customer id');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: request.role, ...(request.customerId ? { customerId: request.customerId } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(request.subject ?? request.customerId ?? request.role)
    .setIssuedAt(now)
    .setExpirationTime(now + request.expiresInSeconds)
    .sign(key);
}

/** The viewer a token stands for; throws a TokenError that says what is wrong with it. */
export async function verifyToken(key: Uint8Array, token: string): Promise<Viewer> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenError('the token has expired');
    if (error instanceof errors.JOSEError) throw new TokenError(`the token is not valid (${error.code})`);
    throw error;
  }
  const expiresAt = (payload.exp ?? 0) * 1000;
  const subject = payload.sub ?? 'unknown';
  if (payload.role === 'operator') return { role: 'operator', subject, expiresAt };
  if (payload.role === 'customer' && typeof payload.customerId === 'string' && payload.customerId !== '') {
    return { role: 'customer', customerId: payload.customerId, subject, expiresAt };
  }
  throw new TokenError('the token names no known role');
}

/** The token in an `Authorization: Bearer …` value; undefined when there is none, a TokenError when malformed. */
export function bearerToken(header: unknown): string | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  if (!match) throw new TokenError('Authorization must be "Bearer <token>"');
  return match[1];
}
