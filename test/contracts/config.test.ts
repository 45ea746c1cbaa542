import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../contracts/config';

const noDotEnv = path.join(tmpdir(), 'esper-relay-test-no-such-dir', '.env');
const validToken = '123456789:AAEhBP0av28rLmW_FAKE-token-value';

function load(env: Record<string, string>) {
  return loadConfig(env, noDotEnv);
}

function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('takes the paths of the production-shaped Temporal server and its SQL tool', () => {
    const config = load({ TEMPORAL_SERVER_BINARY: '/opt/temporal/temporal-server', TEMPORAL_SQL_TOOL: '/opt/temporal/temporal-sql-tool' });
    expect(config.temporal).toMatchObject({ serverBinary: '/opt/temporal/temporal-server', sqlTool: '/opt/temporal/temporal-sql-tool' });
  });

  it('applies the documented defaults for an empty environment', () => {
    const config = load({});
    expect(config.temporal).toMatchObject({
      address: undefined,
      namespace: 'default',
      taskQueue: 'esper-relay',
      binary: undefined,
      serverBinary: undefined,
      sqlTool: undefined,
      port: 7233,
      uiPort: 8233,
    });
    expect(config.telegram).toEqual({
      token: undefined,
      apiRoot: 'https://api.telegram.org',
      globalRatePerSecond: 25,
      pollLeaseSeconds: 15,
    });
    expect(config.store).toMatchObject({ databaseUrl: undefined, poolSize: 10, historyRetentionDays: 30 });
    expect(config.store.embeddedDir).toBe(path.join(config.dataDir, 'store'));
    expect(config.claude).toEqual({ apiKeys: [], baseURL: undefined, model: 'claude-sonnet-5', maxTokens: 1024, timeoutSeconds: 120 });
    expect(config.security).toEqual({
      allowedUsers: [],
      admins: [],
      rateLimit: { limit: 20, windowMs: 60_000 },
      maxInputChars: 16000,
      dailyTokenBudget: 200_000,
    });
    expect(config.context).toEqual({ historyTokenBudget: 4000, workspacesFile: undefined });
    expect(config.dataDir).toBe(path.resolve('.relay-data'));
    expect(config.channels).toEqual(['cli', 'telegram']);
    expect(config.logLevel).toBe('info');
  });

  it('treats empty variables as unset', () => {
    expect(load({ RELAY_MODEL: '', TELEGRAM_BOT_TOKEN: '' }).claude.model).toBe('claude-sonnet-5');
  });

  it('ignores variables it does not know', () => {
    expect(() => load({ SOMETHING_ELSE: '???', HOME: 'not a url' })).not.toThrow();
  });

  it('reads a .env file, with the real environment winning', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esper-relay-config-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, ['# comment', 'RELAY_MODEL="from-dotenv"', "RELAY_LOG_LEVEL='debug'", 'RELAY_MAX_TOKENS = 99'].join('\n'));
    const config = loadConfig({ RELAY_LOG_LEVEL: 'warn' }, file);
    expect(config.claude.model).toBe('from-dotenv');
    expect(config.claude.maxTokens).toBe(99);
    expect(config.logLevel).toBe('warn');
  });

  describe('invalid variables', () => {
    const badToken = 'nope';
    const env = { RELAY_RATE_LIMIT: 'fast', RELAY_ADMINS: 'abc', TELEGRAM_BOT_TOKEN: badToken };

    it('reports every bad variable at once, each by name', () => {
      const error = configError(env);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ConfigError');
      expect(error.problems).toHaveLength(3);
      for (const name of Object.keys(env)) {
        expect(error.problems.some((problem) => problem.startsWith(`${name}:`))).toBe(true);
        expect(error.message).toContain(name);
      }
    });

    it('never puts the bad token value in the error', () => {
      const error = configError(env);
      expect(error.message).not.toContain(badToken);
      expect(error.problems.join('\n')).not.toContain(badToken);
    });

    it('never puts a nearly-valid (secret-looking) token in the error', () => {
      const secretish = '123456:tooShortSecret';
      const error = configError({ TELEGRAM_BOT_TOKEN: secretish });
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain('TELEGRAM_BOT_TOKEN');
      expect(error.message).not.toContain(secretish);
      expect(error.message).not.toContain('tooShortSecret');
    });

    it.each([
      ['TEMPORAL_ADDRESS', 'localhost'],
      ['RELAY_MAX_TOKENS', '-5'],
      ['RELAY_LOG_LEVEL', 'loud'],
      ['RELAY_CHANNELS', 'cli,whatsapp'],
      ['TELEGRAM_API_ROOT', 'not a url'],
    ])('rejects %s=%s by name', (name, value) => {
      const { problems } = configError({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name}(\\.\\d+)?:`));
    });
  });

  describe('RELAY_RATE_LIMIT', () => {
    it.each([
      ['20/min', { limit: 20, windowMs: 60_000 }],
      ['5/s', { limit: 5, windowMs: 1_000 }],
      ['100/hour', { limit: 100, windowMs: 3_600_000 }],
      [' 3 / day ', { limit: 3, windowMs: 86_400_000 }],
    ])('parses %s', (raw, expected) => {
      expect(load({ RELAY_RATE_LIMIT: raw }).security.rateLimit).toEqual(expected);
    });

    it('turns the limit off with "off"', () => {
      expect(load({ RELAY_RATE_LIMIT: 'off' }).security.rateLimit).toBeNull();
    });

    it.each(['fast', '0/min', '20/week', '20', '/min'])('rejects %s', (raw) => {
      expect(configError({ RELAY_RATE_LIMIT: raw }).problems[0]).toMatch(/^RELAY_RATE_LIMIT:/);
    });
  });

  describe('users and admins', () => {
    it('includes admins in the allowed users, without duplicates', () => {
      const config = load({ RELAY_ALLOWED_USERS: '1, 2', RELAY_ADMINS: '2,3' });
      expect(config.security.admins).toEqual(['2', '3']);
      expect(config.security.allowedUsers).toEqual(['1', '2', '3']);
    });

    it('allows admins when no plain users are listed', () => {
      expect(load({ RELAY_ADMINS: '7' }).security.allowedUsers).toEqual(['7']);
    });

    it('names the bad id of RELAY_ALLOWED_USERS', () => {
      const error = configError({ RELAY_ALLOWED_USERS: '1,x2' });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/^RELAY_ALLOWED_USERS:.*x2/);
    });
  });

  it('returns a deeply frozen config', () => {
    const config = load({ RELAY_ADMINS: '1' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.security)).toBe(true);
    expect(Object.isFrozen(config.security.admins)).toBe(true);
    expect(Object.isFrozen(config.security.rateLimit)).toBe(true);
    expect(() => {
      (config as { logLevel: string }).logLevel = 'debug';
    }).toThrow(TypeError);
    expect(() => config.security.allowedUsers.push('999')).toThrow(TypeError);
  });
});

describe('redactConfig', () => {
  const config = load({ TELEGRAM_BOT_TOKEN: validToken, ANTHROPIC_API_KEY: 'sk-ant-first-secret, sk-ant-second-secret' });

  it('loads the secrets it is about to hide', () => {
    expect(config.telegram.token).toBe(validToken);
    expect(config.claude.apiKeys).toEqual(['sk-ant-first-secret', 'sk-ant-second-secret']);
  });

  it('replaces the token and keys with placeholders', () => {
    const redacted = redactConfig(config) as { telegram: { token?: string }; claude: { apiKeys: string[] } };
    expect(redacted.telegram.token).toBe('<set>');
    expect(redacted.claude.apiKeys).toEqual(['<key 1>', '<key 2>']);
  });

  it('leaves no secret anywhere in the serialised output', () => {
    const json = JSON.stringify(redactConfig(config));
    expect(json).not.toContain(validToken);
    expect(json).not.toContain('AAEhBP0av28rLmW');
    expect(json).not.toContain('sk-ant-');
  });

  it('keeps the non-secret settings', () => {
    const redacted = redactConfig(config) as typeof config;
    expect(redacted.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(redacted.claude.model).toBe('claude-sonnet-5');
    expect(redacted.security).toEqual(config.security);
  });

  it('hides the database password but keeps where the database is', () => {
    const withDatabase = load({ RELAY_DATABASE_URL: 'postgres://relay:hunter2-db-secret@db.internal:5432/relay' });
    const json = JSON.stringify(redactConfig(withDatabase));
    expect(json).not.toContain('hunter2-db-secret');
    expect(json).toContain('db.internal:5432/relay');
  });

  it('refuses a database URL that is not PostgreSQL, and bad retention', () => {
    expect(() => load({ RELAY_DATABASE_URL: 'mysql://x@y/z', RELAY_HISTORY_RETENTION_DAYS: 'forever' })).toThrow(
      /RELAY_DATABASE_URL: must be a postgres:\/\/.*\n.*RELAY_HISTORY_RETENTION_DAYS: must be a positive number of days or "off"/s,
    );
  });

  it('shows an unset token as unset', () => {
    const redacted = redactConfig(load({})) as { telegram: { token?: string }; claude: { apiKeys: string[] } };
    expect(redacted.telegram.token).toBeUndefined();
    expect(redacted.claude.apiKeys).toEqual([]);
  });

  it('does not modify the config it redacts', () => {
    redactConfig(config);
    expect(config.telegram.token).toBe(validToken);
  });
});

describe('webhook settings', () => {
  const load = (env: Record<string, string>) => loadConfig(env, '/nonexistent/.env');

  it('needs a secret with the webhook URL, and an https URL', () => {
    expect(() => load({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/hook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET: is required/);
    expect(() => load({ TELEGRAM_WEBHOOK_URL: 'http://bot.example.com/hook', TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(20) })).toThrow(/https/);
  });

  it('hides the webhook secret when the config is printed', () => {
    const config = load({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/hook', TELEGRAM_WEBHOOK_SECRET: 's'.repeat(20) });
    expect(config.telegram.webhook).toEqual({ url: 'https://bot.example.com/hook', secret: 's'.repeat(20), listen: '127.0.0.1:8443' });
    expect(JSON.stringify(redactConfig(config))).not.toContain('s'.repeat(20));
  });
});

describe('payload encryption settings', () => {
  const secret = 'q0tS3f2nVbq3WqTqQe1vKJcHh1m3dXo0m6c1aA8Yw2Q=';

  it('encrypts by default with a key generated into the data dir, and serves the codec on 8234', () => {
    const config = load({ RELAY_DATA_DIR: '/tmp/relay-x' });
    expect(config.encryption).toEqual({ encrypt: true, keys: [], keyFile: '/tmp/relay-x/encryption-key', codecPort: 8234 });
  });

  it('reads RELAY_ENCRYPTION_KEYS (first one encrypts), RELAY_ENCRYPTION=off and RELAY_CODEC_PORT', () => {
    const config = load({ RELAY_ENCRYPTION_KEYS: `new:${secret},old:${secret}`, RELAY_ENCRYPTION: 'off', RELAY_CODEC_PORT: '9000' });
    expect(config.encryption.keys.map((key) => key.id)).toEqual(['new', 'old']);
    expect(config.encryption.encrypt).toBe(false);
    expect(config.encryption.codecPort).toBe(9000);
  });

  it('names a bad key by entry and key id, never printing the key', () => {
    const error = configError({ RELAY_ENCRYPTION_KEYS: `good:${secret},weak:${secret.slice(0, 20)}`, RELAY_ENCRYPTION: 'maybe' });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('RELAY_ENCRYPTION_KEYS: entry 2 (key id "weak"): the key must be 32 bytes in base64');
    expect(error.message).toMatch(/RELAY_ENCRYPTION: /);
    expect(error.message).not.toContain(secret.slice(0, 20));
  });

  it('reads RELAY_CODEC_TOKEN, refuses a short one without printing it, and hides it from redactConfig', () => {
    const token = 'c0dec-t0ken-'.repeat(4);
    expect(load({ RELAY_CODEC_TOKEN: token }).encryption.codecToken).toBe(token);
    const error = configError({ RELAY_CODEC_TOKEN: 'short-token' });
    expect(error.message).toMatch(/RELAY_CODEC_TOKEN: must be 32-512 printable characters/);
    expect(error.message).not.toContain('short-token');
    expect(JSON.stringify(redactConfig(load({ RELAY_CODEC_TOKEN: token })))).not.toContain(token);
  });

  it('hides the keys from redactConfig but keeps their ids', () => {
    const redacted = redactConfig(load({ RELAY_ENCRYPTION_KEYS: `k1:${secret}` }));
    expect(JSON.stringify(redacted)).not.toContain(secret);
    expect((redacted as { encryption: { keys: string[] } }).encryption.keys).toEqual(['<key k1>']);
  });
});
