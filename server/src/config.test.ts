import { describe, expect, it } from 'vitest';
import { ConfigError } from '@orders/core';
import { loadConfig } from './config.ts';
import { productionWarnings } from './http/exposure-config.ts';

const SECRET = 'a-production-secret-of-at-least-32-characters';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the server configuration', () => {
  it('is production when NODE_ENV is unset, and then asks for AUTH_SECRET, saying how to run a development server', () => {
    expect(problemsOf({})).toMatch(/^AUTH_SECRET: must be set when NODE_ENV is production .*NODE_ENV=development/m);
    expect(loadConfig({ AUTH_SECRET: SECRET })).toMatchObject({ mode: 'production', production: true });
  });

  it('in production serves no development token, no GraphiQL and no introspection unless told', () => {
    const config = loadConfig({ AUTH_SECRET: SECRET });
    expect(config.auth.devTokens).toBe(false);
    expect(config.graphql).toEqual({ graphiql: false, introspection: 'off' });
    expect(config.http.metricsPort).toBeUndefined();
    expect(config.http.trustedProxies.description).toBe('none');
  });

  it('in development has the conveniences on, each of which can be switched off by name', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.auth.devTokens).toBe(true);
    expect(config.graphql).toEqual({ graphiql: true, introspection: 'anonymous' });
    const bare = loadConfig({ NODE_ENV: 'development', AUTH_DEV_TOKENS: 'false', GRAPHIQL: '0', INTROSPECTION: 'off' });
    expect(bare.auth.devTokens).toBe(false);
    expect(bare.graphql).toEqual({ graphiql: false, introspection: 'off' });
  });

  it('turns GraphiQL and introspection on in production by name, and has a warning for each', () => {
    const config = loadConfig({ AUTH_SECRET: SECRET, GRAPHIQL: 'true', INTROSPECTION: 'anonymous' });
    expect(config.graphql).toEqual({ graphiql: true, introspection: 'anonymous' });
    const warnings = productionWarnings({ production: true, ...config.graphql });
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/GRAPHIQL=true[\s\S]*INTROSPECTION=anonymous/);
    expect(productionWarnings({ production: false, graphiql: true, introspection: 'anonymous' })).toEqual([]);
  });

  it('refuses development tokens in production', () => {
    expect(problemsOf({ AUTH_SECRET: SECRET, AUTH_DEV_TOKENS: '1' })).toMatch(
      /^AUTH_DEV_TOKENS: development tokens cannot be served when NODE_ENV is production$/m,
    );
  });

  it('names every bad setting of the edge at once', () => {
    const problems = problemsOf({
      NODE_ENV: 'development',
      ALLOWED_ORIGINS: 'https://shop.example,*,https://app.example/path',
      TRUST_PROXY: '10.0.0.0/8,proxy',
      GRAPHIQL: 'yes',
      INTROSPECTION: 'everyone',
      METRICS_PORT: '70000',
    });
    expect(problems).toMatch(/^ALLOWED_ORIGINS: "\*" is not an origin/m);
    expect(problems).toMatch(/^ALLOWED_ORIGINS: "https:\/\/app\.example\/path" is not an origin/m);
    expect(problems).toMatch(/^TRUST_PROXY: "proxy" is not an IP address or a CIDR/m);
    expect(problems).toMatch(/^GRAPHIQL: must be true or false$/m);
    expect(problems).toMatch(/^INTROSPECTION: must be one of off, authenticated, anonymous$/m);
    expect(problems).toMatch(/^METRICS_PORT: /m);
  });

  it('refuses a metrics port that is the main one', () => {
    expect(problemsOf({ NODE_ENV: 'development', PORT: '4000', METRICS_PORT: '4000' })).toMatch(
      /^METRICS_PORT: must differ from PORT/m,
    );
    expect(loadConfig({ NODE_ENV: 'development', METRICS_PORT: '9464' }).http.metricsPort).toBe(9464);
  });

  it('reads the allowed origins and the trusted proxies as lists', () => {
    const config = loadConfig({
      NODE_ENV: 'development',
      ALLOWED_ORIGINS: 'https://shop.example, http://localhost:3000',
      TRUST_PROXY: '10.0.0.0/8, ::1',
    });
    expect(config.auth.allowedOrigins).toEqual(['https://shop.example', 'http://localhost:3000']);
    expect(config.http.trustedProxies.has('10.20.30.40')).toBe(true);
    expect(config.http.trustedProxies.has('::1')).toBe(true);
    expect(config.http.trustedProxies.has('127.0.0.1')).toBe(false);
  });
});
