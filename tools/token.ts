/**
 * Mints a bearer token the server accepts (same secret: AUTH_SECRET, or the
 * development secret in .data/):
 *   npm run token -- --role customer --customer cus_0001 [--hours 24]
 *   npm run token -- --role operator
 * Prints the token alone on stdout, so it can be captured: TOKEN=$(npm run -s token -- …).
 */
import { parseArgs } from 'node:util';
import { signToken, signingKey } from '@orders/core';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'operator' },
    customer: { type: 'string' },
    hours: { type: 'string', default: '24' },
    subject: { type: 'string' },
  },
});

const role = values.role;
const hours = Number(values.hours);
const problems: string[] = [];
if (role !== 'operator' && role !== 'customer') problems.push(`--role must be operator or customer, got "${role}"`);
if (role === 'customer' && !values.customer) problems.push('--role customer needs --customer <id>, e.g. cus_0001');
if (role === 'operator' && values.customer) problems.push('--customer goes with --role customer only');
if (!(hours > 0 && hours <= 24 * 365)) problems.push(`--hours must be between 0 and 8760, got "${values.hours}"`);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(2);
}

const key = signingKey({ secret: process.env.AUTH_SECRET, production: process.env.NODE_ENV === 'production' });
const token = await signToken(key, {
  role: role as 'operator' | 'customer',
  customerId: values.customer,
  subject: values.subject,
  expiresInSeconds: Math.round(hours * 3600),
});
console.log(token);
