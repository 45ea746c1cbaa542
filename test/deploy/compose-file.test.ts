/**
 * docker-compose.temporal.yml, checked without a Docker engine: it parses, fits the shape of a Compose file
 * (a JSON schema of the Compose keys this file may use, checked with ajv), and keeps the promises the README makes:
 * no secret in the file, Temporal's schemas set up before anything uses them, a relay with its own database, and
 * a worker service that `--scale worker=3` can copy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeFileSchema } from './compose-file-schema';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const file = path.join(__dirname, '..', '..', 'docker-compose.temporal.yml');
const text = readFileSync(file, 'utf8');
const compose = parse(text) as { services: Record<string, Service> };
const services = compose.services;

/** Every service `name` waits for, directly or through the services it waits for. */
function dependencies(name: string, seen = new Set<string>()): Set<string> {
  for (const dependency of Object.keys(services[name]?.depends_on ?? {})) {
    if (!seen.has(dependency)) dependencies(dependency, seen.add(dependency));
  }
  return seen;
}

describe('docker-compose.temporal.yml', () => {
  it('is a Compose file', () => {
    const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(composeFileSchema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs current images: no auto-setup, the server pinned to 1.29.1', () => {
    const images = Object.values(services).flatMap((service) => (service.image ? [service.image] : []));
    expect(images.some((image) => image.includes('auto-setup'))).toBe(false);
    expect(services.temporal?.image).toBe('temporalio/server:1.29.1');
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:1\.29\.1\b/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
  });

  it('sets up both Temporal schemas with temporal-sql-tool and the relay database', () => {
    const script = String(services['temporal-schema']?.command);
    for (const database of ['temporal', 'temporal_visibility']) {
      expect(script).toContain(`--db ${database} setup-schema`);
      expect(script).toContain(`--db ${database} update-schema`);
    }
    expect(script).toContain('--db relay create');
  });

  it('registers every Keyword search attribute the relay writes', () => {
    const script = String(services['temporal-namespace']?.command);
    for (const name of ['RelayChannel', 'RelayChatId', 'RelayUserId', 'RelayRoute', 'RelayOutcome']) expect(script).toContain(name);
    expect(script).toContain('--type Keyword');
  });

  it('holds no secret: every password, token and key comes from the environment', () => {
    const secretKey = /PASSWORD|PWD|TOKEN|API_KEY|SECRET|ENCRYPTION_KEYS|DATABASE_URL/;
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretKey.test(key)) continue;
        // Whatever is secret in the value is a ${VAR:?…} the user must supply, never a literal or a default.
        const withoutRequired = value.replace(/\$\{[A-Z_]+:\?[^}]*\}/g, '').replace(/\$\{POSTGRES_USER:-\w+\}/g, '');
        expect(withoutRequired, `${name}.${key}`).not.toMatch(/\$\{[A-Z_]+(:?-)/);
        expect(withoutRequired, `${name}.${key}`).toMatch(/^(postgres:\/\/:@postgresql:5432\/relay)?$/);
      }
    }
    expect(text).not.toMatch(/POSTGRES_PASSWORD:\s*\w/);
  });

  it('gives the relay and its workers their own database on the same PostgreSQL', () => {
    for (const name of ['relay', 'worker']) {
      expect(services[name]?.environment?.RELAY_DATABASE_URL).toMatch(/^postgres:\/\/.*@postgresql:5432\/relay$/);
      expect(services[name]?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
    expect(services.relay?.command).toEqual(['up']);
    expect(services.relay?.environment?.RELAY_CHANNELS).toContain('telegram');
  });

  it('has a worker service that scales: no fixed name, no host port', () => {
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.worker?.build).toBeDefined();
    expect(services.worker?.container_name).toBeUndefined();
    expect(services.worker?.ports).toBeUndefined();
    for (const service of Object.values(services)) expect(service.container_name).toBeUndefined();
  });

  it('starts nothing before its dependencies are healthy or done', () => {
    for (const name of ['temporal', 'temporal-namespace', 'temporal-ui', 'relay', 'worker']) {
      expect(dependencies(name), name).toContain('temporal-schema');
    }
    expect(services['temporal-schema']?.depends_on?.postgresql?.condition).toBe('service_healthy');
    for (const name of ['relay', 'worker']) {
      expect(services[name]?.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
      expect(services[name]?.depends_on?.['temporal-namespace']?.condition).toBe('service_completed_successfully');
    }
    for (const name of ['postgresql', 'temporal', 'relay', 'worker']) expect(services[name]?.healthcheck?.test).toBeDefined();
  });
});
