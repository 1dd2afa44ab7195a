/**
 * docker-compose.yml against the Compose specification's JSON schema (a copy kept in
 * infra/compose, see its README): no Docker engine needed. The YAML's merge keys (`<<: *app`) are
 * resolved first, as Compose does, so that what is checked is what Compose reads.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/index.ts';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  [key: string]: unknown;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

let validate: ValidateFunction;
const composeFile = () =>
  parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'infra/compose/compose-spec.json'), 'utf8')) as object;
  // Not strict: the schema uses annotations outside draft 7 (`deprecated`) that ajv's strict mode flags.
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema names draft 7 by its https address; ajv knows the meta-schema by its http one.
  const draft7 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as object;
  ajv.addMetaSchema(draft7, 'https://json-schema.org/draft-07/schema');
  validate = ajv.compile(schema);
});

const errorsOf = (document: unknown) => (validate(document) ? [] : (validate.errors ?? []));

describe('docker-compose.yml', () => {
  it('follows the Compose specification', () => {
    expect(errorsOf(composeFile())).toEqual([]);
  });

  it('fails the check with a misspelt key, and with a condition Compose does not know', () => {
    const misspelt = composeFile();
    misspelt.services['server-1']!.restrat = 'always';
    expect(errorsOf(misspelt).map((error) => error.params)).toContainEqual({ additionalProperty: 'restrat' });

    const badCondition = composeFile();
    badCondition.services['processor-1']!.depends_on!.kafka!.condition = 'service_healty';
    expect(errorsOf(badCondition).some((error) => error.instancePath.endsWith('/depends_on/kafka/condition'))).toBe(
      true,
    );
  });

  it('runs two servers, two processors and the payment service from the image, the servers behind a load balancer, in the app profile', () => {
    const { services } = composeFile();
    const app = Object.entries(services).filter(([, service]) => service.profiles?.includes('app'));
    const fromImage = (command: string) =>
      app.filter(([, service]) => service.image === 'orders-realtime:local' && service.command?.[0] === command);
    expect(fromImage('server').map(([name]) => name)).toEqual(['server-1', 'server-2']);
    expect(fromImage('processor').map(([name]) => name)).toEqual(['processor-1', 'processor-2']);
    const stores = {
      kafka: { condition: 'service_healthy' },
      mongodb: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    };
    for (const [name, service] of [...fromImage('server'), ...fromImage('processor')]) {
      expect(service.build).toBeDefined();
      // The processors authorize payments: they wait for the payment service too.
      expect(service.depends_on).toEqual(
        name.startsWith('processor') ? { ...stores, payments: { condition: 'service_healthy' } } : stores,
      );
      // Nothing of the app is published but the load balancer.
      expect(service.ports).toBeUndefined();
    }
    expect(fromImage('payments').map(([name]) => name)).toEqual(['payments']);
    expect(services.payments?.environment).toMatchObject({ PAYMENTS_HOST: '0.0.0.0', PAYMENTS_TEST_CONTROLS: 'false' });
    expect(services['processor-1']?.environment).toMatchObject({ PAYMENTS_URL: 'http://payments:4010' });
    expect(services.loadbalancer?.depends_on).toEqual({
      'server-1': { condition: 'service_healthy' },
      'server-2': { condition: 'service_healthy' },
    });
    expect(services.loadbalancer?.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('passes WebSocket upgrades and unbuffered SSE through the load balancer, to both servers', () => {
    const config = readFileSync(path.join(repoRoot, 'infra/loadbalancer/nginx.conf'), 'utf8');
    expect(config).toMatch(/server server-1:4000/);
    expect(config).toMatch(/server server-2:4000/);
    expect(config).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(config).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(config).toMatch(/proxy_buffering off;/);
    expect(config).toMatch(/proxy_read_timeout 1h;/);
  });
});
