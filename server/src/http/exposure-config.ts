/**
 * What the server shows beyond the API, and to whom: the mode (production
 * unless NODE_ENV names another), the development conveniences (operator
 * tokens for the dashboard, GraphiQL, anonymous introspection), the browser
 * origins it answers, the proxies it believes, and where /metrics is served.
 *
 * An unset NODE_ENV is production. A forgotten variable then fails closed: the
 * server refuses to start without AUTH_SECRET and opens nothing, instead of
 * handing out operator tokens on a machine that was meant to be a production
 * one. `npm start`, `npm run dev` and the tests name development explicitly.
 */
import { z } from 'zod';
import { TrustProxyModel, trustedProxies } from '@orders/core';

/** A switch: true/false (1/0 also read); unset leaves the mode's default. */
const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1')
  .optional();

/** Who may run introspection: nobody, any caller with a token, or anyone. */
const INTROSPECTION = ['off', 'authenticated', 'anonymous'] as const;
export type IntrospectionAccess = (typeof INTROSPECTION)[number];

const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .superRefine((origins, context) => {
    for (const origin of origins) {
      let exact = false;
      try {
        exact = new URL(origin).origin === origin;
      } catch {
        // not a URL at all: said below
      }
      if (!exact) {
        context.addIssue({
          code: 'custom',
          message: `"${origin}" is not an origin: write scheme://host[:port], e.g. https://shop.example (no "*", no path)`,
        });
      }
    }
  })
  .optional();

export const ModeModel = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

/** The development conveniences, each on by default outside production and switched on by name in it. */
export const DevelopmentModel = z.object({
  /** Serve an operator token at GET /auth/dev-token to callers on this machine, for the dashboard. */
  AUTH_DEV_TOKENS: flag,
  /** Serve GraphiQL to browsers at /graphql. */
  GRAPHIQL: flag,
  /** Who may run introspection. */
  INTROSPECTION: z.enum(INTROSPECTION, { message: `must be one of ${INTROSPECTION.join(', ')}` }).optional(),
});

/** The edge: browser origins, proxies, and the metrics listener. */
export const EdgeModel = z
  .object({
    /** Origins a browser may call the API from (HTTP and WebSocket), comma separated; the server's own by default. */
    ALLOWED_ORIGINS: originList,
    /** Serve /metrics on this port only (not on PORT), for a port a Kubernetes Service does not expose. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  })
  .extend(TrustProxyModel.shape);

type Raw = z.infer<typeof ModeModel> & z.infer<typeof DevelopmentModel> & z.infer<typeof EdgeModel>;

/** The refusals that need several settings at once; each names the setting to change. */
export function exposureProblems(raw: Raw & { AUTH_SECRET?: string; PORT: number }): string[] {
  const problems: string[] = [];
  const production = raw.NODE_ENV === 'production';
  if (production && raw.AUTH_SECRET === undefined) {
    problems.push(
      'AUTH_SECRET: must be set when NODE_ENV is production (the default when NODE_ENV is unset; a developer runs NODE_ENV=development)',
    );
  }
  if (production && raw.AUTH_DEV_TOKENS === true) {
    problems.push('AUTH_DEV_TOKENS: development tokens cannot be served when NODE_ENV is production');
  }
  if (raw.METRICS_PORT !== undefined && raw.METRICS_PORT !== 0 && raw.METRICS_PORT === raw.PORT) {
    problems.push('METRICS_PORT: must differ from PORT (unset it to serve /metrics on PORT)');
  }
  return problems;
}

export function exposureConfig(raw: Raw) {
  const production = raw.NODE_ENV === 'production';
  return {
    mode: raw.NODE_ENV,
    production,
    devTokens: raw.AUTH_DEV_TOKENS ?? !production,
    graphiql: raw.GRAPHIQL ?? !production,
    introspection: raw.INTROSPECTION ?? (production ? 'off' : 'anonymous'),
    /** Undefined: the server's own origin (and the Vite dev server's, outside production). */
    allowedOrigins: raw.ALLOWED_ORIGINS,
    trustedProxies: trustedProxies(raw.TRUST_PROXY),
    /** Undefined: /metrics on the main port. */
    metricsPort: raw.METRICS_PORT,
  };
}

export type ExposureConfig = ReturnType<typeof exposureConfig>;

/** What a production server has switched on that it would not by default: logged as warnings at start. */
export function productionWarnings(
  exposure: Pick<ExposureConfig, 'production' | 'graphiql' | 'introspection'>,
): string[] {
  if (!exposure.production) return [];
  return [
    ...(exposure.graphiql ? ['GRAPHIQL=true: GraphiQL is served to browsers at /graphql'] : []),
    ...(exposure.introspection === 'anonymous'
      ? ['INTROSPECTION=anonymous: anyone can read the whole schema without a token']
      : []),
    ...(exposure.introspection === 'authenticated'
      ? ['INTROSPECTION=authenticated: every token holder can read the whole schema']
      : []),
  ];
}
