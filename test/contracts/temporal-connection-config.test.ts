/**
 * Where the relay connects: profiles from a temporal.toml, the TEMPORAL_* variables over them, TLS files, the API
 * key kept out of anything printed, and a bad profile or file named in the ConfigError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalConnectionOptions } from '../../workers/connect';
import { ConfigError, loadConfig, redactConfig } from '../../contracts/config';

const noDotEnv = path.join(tmpdir(), 'esper-relay-test-no-such-dir', '.env');
const apiKey = 'cloud-api-key-that-must-never-be-printed';
let dir: string;
let toml: string;

const load = (env: Record<string, string>) => loadConfig({ TEMPORAL_CONFIG_FILE: toml, ...env }, noDotEnv);

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relay-envconfig-'));
  for (const name of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(path.join(dir, name), 'PEM');
  toml = path.join(dir, 'temporal.toml');
  writeFileSync(
    toml,
    [
      '[profile.default]',
      'address = "temporal.internal:7233"',
      'namespace = "relay-prod"',
      '',
      '[profile.cloud]',
      'address = "relay.a1b2c.tmprl.cloud:7233"',
      'namespace = "relay.a1b2c"',
      `api_key = "${apiKey}"`,
      '',
      '[profile.mtls]',
      'address = "temporal.internal:7233"',
      '[profile.mtls.tls]',
      `server_ca_cert_path = "${path.join(dir, 'ca.pem')}"`,
      `client_cert_path = "${path.join(dir, 'client.pem')}"`,
      `client_key_path = "${path.join(dir, 'client.key')}"`,
      'server_name = "temporal.internal"',
      '',
      '[profile.broken]',
      'address = "no port here"',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Temporal connection from envconfig', () => {
  it('reads the default profile of TEMPORAL_CONFIG_FILE', () => {
    const { temporal } = load({});
    expect(temporal).toMatchObject({ address: 'temporal.internal:7233', namespace: 'relay-prod', tls: undefined, apiKey: undefined });
  });

  it('reads the profile TEMPORAL_PROFILE names; an API key turns TLS on', () => {
    const config = load({ TEMPORAL_PROFILE: 'cloud' });
    expect(config.temporal).toMatchObject({ address: 'relay.a1b2c.tmprl.cloud:7233', namespace: 'relay.a1b2c', apiKey });
    expect(temporalConnectionOptions(config)).toEqual({ address: 'relay.a1b2c.tmprl.cloud:7233', tls: true, apiKey });
  });

  it('lets the TEMPORAL_* variables override the profile one by one', () => {
    const config = load({ TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'staging.a1b2c', TEMPORAL_API_KEY: 'rotated-key' });
    expect(config.temporal).toMatchObject({ address: 'relay.a1b2c.tmprl.cloud:7233', namespace: 'staging.a1b2c', apiKey: 'rotated-key' });
    expect(load({ TEMPORAL_ADDRESS: 'other.internal:7233' }).temporal).toMatchObject({
      address: 'other.internal:7233',
      namespace: 'relay-prod',
    });
  });

  it('reads mTLS paths from the profile and hands the certificates to the connection', () => {
    const config = load({ TEMPORAL_PROFILE: 'mtls' });
    expect(config.temporal.tls).toEqual({
      serverName: 'temporal.internal',
      serverCaCert: { path: path.join(dir, 'ca.pem') },
      clientCert: { path: path.join(dir, 'client.pem') },
      clientKey: { path: path.join(dir, 'client.key') },
    });
    const pem = Buffer.from('PEM');
    expect(temporalConnectionOptions(config).tls).toEqual({
      serverNameOverride: 'temporal.internal',
      serverRootCACertificate: new Uint8Array(pem),
      clientCertPair: { crt: new Uint8Array(pem), key: new Uint8Array(pem) },
    });
  });

  it('reads mTLS from the TEMPORAL_TLS_* variables without any file', () => {
    const config = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_DATA: '-----BEGIN PRIVATE KEY-----secret',
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      },
      noDotEnv,
    );
    expect(config.temporal.tls).toEqual({
      serverName: 'temporal.internal',
      clientCert: { path: path.join(dir, 'client.pem') },
      clientKey: { pem: '-----BEGIN PRIVATE KEY-----secret' },
    });
    expect(load({ TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: 'false' }).temporal.tls).toBe(false);
  });

  it('keeps the embedded dev server when no profile or variable gives an address', () => {
    const config = loadConfig({ TEMPORAL_PORT: '7300' }, noDotEnv);
    expect(config.temporal.address).toBeUndefined();
    expect(temporalConnectionOptions(config)).toEqual({ address: '127.0.0.1:7300' });
  });

  it('never prints the API key or inline key material', () => {
    const cloud = JSON.stringify(redactConfig(load({ TEMPORAL_PROFILE: 'cloud' })));
    expect(cloud).not.toContain(apiKey);
    expect(cloud).toContain('"apiKey":"<set>"');
    const inline = JSON.stringify(
      redactConfig(
        load({
          TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT',
          TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY-MATERIAL',
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
        }),
      ),
    );
    expect(inline).not.toContain('KEY-MATERIAL');
    expect(inline).toContain(path.join(dir, 'ca.pem'));
  });

  it('names a missing profile, a missing file and a bad address', () => {
    expect(problems({ TEMPORAL_PROFILE: 'nope' })).toEqual([expect.stringMatching(/^TEMPORAL_PROFILE: .*profile "nope".*not found/)]);
    expect(problems({ TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') })).toEqual(['TEMPORAL_CONFIG_FILE: no such file']);
    expect(problems({ TEMPORAL_PROFILE: 'broken' })).toEqual([expect.stringMatching(/^TEMPORAL_PROFILE: address in profile "broken"/)]);
  });

  it('names a file that is not TOML without quoting its lines', () => {
    const bad = path.join(dir, 'bad.toml');
    writeFileSync(bad, `[profile.default]\napi_key = "${apiKey}" oops\n`);
    const [problem, ...rest] = problems({ TEMPORAL_CONFIG_FILE: bad });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^TEMPORAL_CONFIG_FILE: cannot use the default profile of .*bad\.toml/);
    expect(problem).not.toContain(apiKey);
  });

  it('names a TLS file that does not exist and a certificate without its key, together', () => {
    const found = problems({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'no-ca.pem'),
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
    });
    expect(found).toEqual([
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH: no such file ${path.join(dir, 'no-ca.pem')}`,
      'TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both the client certificate and its key',
    ]);
    const mtls = path.join(dir, 'mtls-missing.toml');
    writeFileSync(
      mtls,
      '[profile.default]\naddress = "t:7233"\ntls = { client_cert_path = "/no/cert.pem", client_key_path = "/no/key.pem" }\n',
    );
    expect(problems({ TEMPORAL_CONFIG_FILE: mtls })).toEqual([
      'TEMPORAL_PROFILE: tls.client_cert_path in the default profile: no such file /no/cert.pem',
      'TEMPORAL_PROFILE: tls.client_key_path in the default profile: no such file /no/key.pem',
    ]);
  });

  it('refuses TLS or an API key without an address (the embedded server is plaintext)', () => {
    expect(() => loadConfig({ TEMPORAL_API_KEY: 'k' }, noDotEnv)).toThrow(ConfigError);
    const withoutFile = { TEMPORAL_CONFIG_FILE: path.join(dir, 'empty.toml'), TEMPORAL_TLS: 'true' };
    writeFileSync(withoutFile.TEMPORAL_CONFIG_FILE, '[profile.default]\n');
    expect(problems(withoutFile)).toEqual([
      expect.stringMatching(/^TEMPORAL_ADDRESS: TLS or an API key is configured but no server address/),
    ]);
  });
});
