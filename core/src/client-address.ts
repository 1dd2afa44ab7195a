/**
 * Who a request comes from, for the decisions that depend on it (a loopback
 * caller may read /metrics; only a loopback caller gets a development token).
 * The socket's peer is the client unless it is a trusted proxy (TRUST_PROXY:
 * addresses or CIDRs): then X-Forwarded-For is read from the right, past every
 * trusted hop, to the first address no trusted proxy stands for. Behind a
 * reverse proxy or a sidecar on the same host every socket is loopback, so the
 * socket alone would make every caller "local".
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

export interface TrustedProxies {
  /** Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6) is one of the trusted proxies. */
  has(address: string): boolean;
  /** The list as it was given, for logs. */
  readonly description: string;
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** An IPv4-mapped IPv6 address (how a dual-stack socket shows an IPv4 peer) as the IPv4 address it is. */
function plainAddress(address: string): string {
  return MAPPED_V4.exec(address)?.[1] ?? address;
}

/** Why `entry` is not an address or a CIDR, or undefined when it is one. */
function cidrProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or a CIDR (10.0.0.0/8, ::1/128)`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || bits > max) return `"${entry}": the prefix length must be 0 to ${max}`;
  return undefined;
}

/** Trusted proxies from a comma-separated list of addresses and CIDRs; throws on an entry that is neither. */
export function trustedProxies(list: readonly string[]): TrustedProxies {
  const blocks = new BlockList();
  for (const entry of list) {
    const problem = cidrProblem(entry);
    if (problem) throw new Error(problem);
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    const plain = plainAddress(address);
    if (plain !== address) blocks.addSubnet(plain, Math.max(0, Number(prefix ?? 128) - 96), 'ipv4');
    else blocks.addSubnet(address, Number(prefix ?? (type === 'ipv4' ? 32 : 128)), type);
  }
  return {
    description: list.length === 0 ? 'none' : list.join(','),
    has(address) {
      const plain = plainAddress(address);
      const family = isIP(plain);
      if (family === 0) return false;
      return blocks.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** No proxy is trusted: the socket's peer is the client. */
export const NO_TRUSTED_PROXIES: TrustedProxies = trustedProxies([]);

/** TRUST_PROXY: the proxies whose X-Forwarded-For is believed; none by default. */
export const TrustProxyModel = z.object({
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .superRefine((entries, context) => {
      for (const entry of entries) {
        const problem = cidrProblem(entry);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }
    }),
});

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy (the leftmost when every hop is trusted).
 * An entry that is not an address ends the walk and is the answer: it matches no rule that grants anything.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  let address = plainAddress(req.socket.remoteAddress ?? '');
  if (!trusted.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = plainAddress(hops[i]!);
    if (!trusted.has(address)) return address;
  }
  return address;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;

/** Whether an address (as `clientAddress` gives it) is this machine's loopback. */
export function isLoopbackAddress(address: string): boolean {
  return LOOPBACK.test(plainAddress(address));
}
