import path from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../contracts/config';
import { describeEsper } from '../../contracts/esper/config';

const load = (env: Record<string, string>) => loadConfig(env, path.join(tmpdir(), 'esper-relay-test-no-such-dir', '.env'));
const secretA = 'a-shared-oona-secret-of-enough-length-1';
const secretB = 'b-shared-oona-secret-of-enough-length-2';

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Esper settings', () => {
  it('defaults to the in-process bus with the simulator and 100 compile slots', () => {
    const { esper } = load({});
    expect(esper).toEqual({
      bus: { kind: 'in-process' },
      simulator: true,
      compileSlots: 100,
      breakers: { failureThreshold: 3, openMs: 30_000, heartbeatTimeoutMs: 30_000 },
      rollbackConfirmationMs: 60_000,
      simulatorHeartbeatMs: 5_000,
    });
    expect(describeEsper(esper)).toBe('Esper: in-process bus with the Esper simulator');
  });

  it('talks to Oona on Redis when ESPER_REDIS_URL is set, without the simulator unless asked', () => {
    const env = { ESPER_REDIS_URL: 'redis://127.0.0.1:6379/2', ESPER_SIGNING_SECRETS: `${secretA}, ${secretB}`, ESPER_KEY_PREFIX: 'lab:' };
    const { esper } = load(env);
    expect(esper.bus).toEqual({
      kind: 'oona-redis',
      url: 'redis://127.0.0.1:6379/2',
      signingSecrets: [secretA, secretB],
      keyPrefix: 'lab:',
    });
    expect(esper.simulator).toBe(false);
    expect(load({ ...env, ESPER_SIMULATOR: 'on' }).esper.simulator).toBe(true);
    expect(describeEsper(esper)).toBe('Esper: Oona on redis://127.0.0.1:6379 (keys lab:*)');
  });

  it('needs the signing secrets with a Redis URL, and says why', () => {
    expect(problems({ ESPER_REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([
      'ESPER_SIGNING_SECRETS: is required with ESPER_REDIS_URL: Oona drops every envelope whose HMAC it cannot verify',
    ]);
  });

  it('names short secrets by position and bad values by variable, never echoing a secret', () => {
    const found = problems({
      ESPER_REDIS_URL: 'http://127.0.0.1:6379',
      ESPER_SIGNING_SECRETS: `${secretA},too-short-secret`,
      ESPER_SIMULATOR: 'maybe',
    });
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toContain('ESPER_REDIS_URL: must be a redis:// or rediss:// URL');
    expect(found.join('\n')).toContain('ESPER_SIGNING_SECRETS: every secret needs at least 32 characters; too short: secret 2');
    expect(found.join('\n')).toMatch(/ESPER_SIMULATOR: /);
    expect(found.join('\n')).not.toContain('too-short-secret');
  });

  it('reads breaker and heartbeat durations in seconds', () => {
    const { esper } = load({
      ESPER_BREAKER_FAILURES: '5',
      ESPER_BREAKER_OPEN: '2.5',
      ESPER_HEARTBEAT_TIMEOUT: '10',
      ESPER_SIM_HEARTBEAT: '1',
    });
    expect(esper.breakers).toEqual({ failureThreshold: 5, openMs: 2_500, heartbeatTimeoutMs: 10_000 });
    expect(esper.simulatorHeartbeatMs).toBe(1_000);
    expect(problems({ ESPER_BREAKER_OPEN: '-1', ESPER_BREAKER_FAILURES: 'three' })).toHaveLength(2);
  });

  it('hides the Redis password and the secrets when the config is printed', () => {
    const config = load({ ESPER_REDIS_URL: 'redis://oona:hunter2-password@10.0.0.5:6379', ESPER_SIGNING_SECRETS: secretA });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('hunter2-password');
    expect(printed).not.toContain(secretA);
    expect(printed).toContain('10.0.0.5:6379');
    expect(describeEsper(config.esper)).not.toContain('hunter2');
  });
});
