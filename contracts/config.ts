/**
 * The one place that reads the environment. `loadConfig` parses it once with zod into a frozen object that is
 * passed down; every bad variable is reported at once, by name, and secrets never appear in the message.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { commaList, countOrOff, encryptionKeys, idList, positiveInt, rateLimitSchema, secretList } from './config-values';
import { MAX_TEXT_CHARS_AT_BOUNDARY } from './message';
import { checkEsperEnv, esperEnvShape, redactEsperConfig, toEsperConfig } from './esper/config';
import { redactTemporalConnection, resolveTemporalConnection, temporalConnectionEnvShape } from './temporal-connection-config';
import type { TemporalConnection } from './temporal-connection-config';

const envSchema = z.object({
  ...temporalConnectionEnvShape,
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(/^[\w.-]{1,200}$/, 'must be letters, digits, _, . and - (it also appears in visibility queries)')
    .default('esper-relay'),
  TEMPORAL_BINARY: z.string().min(1).optional(),
  /** The production-shaped server (`temporal-server`) and its schema tool, for `relay setup --server` and tests. */
  TEMPORAL_SERVER_BINARY: z.string().min(1).optional(),
  TEMPORAL_SQL_TOOL: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: positiveInt(8233),
  RELAY_CACHE_DIR: z.string().min(1).optional(),
  /** Searched for the Temporal binaries and for Go. */
  PATH: z.string().default(''),
  TEMPORAL_PORT: positiveInt(7233),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC… (the token BotFather gave you)')
    .optional(),
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  RELAY_TELEGRAM_RATE: z.coerce.number().positive().max(1000).default(25),
  TELEGRAM_WEBHOOK_URL: z
    .url()
    .refine((url) => url.startsWith('https://'), 'Telegram only delivers webhooks to https:// URLs')
    .optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, _ and -')
    .optional(),
  TELEGRAM_WEBHOOK_LISTEN: z
    .string()
    .regex(/^[\w.:-]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:8443'),
  ANTHROPIC_API_KEY: secretList,
  ANTHROPIC_BASE_URL: z.url().optional(),
  RELAY_MODEL: z.string().min(1).default('claude-sonnet-5'),
  RELAY_MAX_TOKENS: positiveInt(1024),
  RELAY_ALLOWED_USERS: idList('RELAY_ALLOWED_USERS'),
  RELAY_ADMINS: idList('RELAY_ADMINS'),
  RELAY_RATE_LIMIT: rateLimitSchema,
  RELAY_MAX_INPUT_CHARS: z.coerce
    .number()
    .int()
    .positive()
    .max(MAX_TEXT_CHARS_AT_BOUNDARY, `must be at most ${MAX_TEXT_CHARS_AT_BOUNDARY}: channels cut longer texts to that at the boundary`)
    .default(16000),
  RELAY_HISTORY_TOKENS: positiveInt(4000),
  RELAY_DAILY_TOKENS: countOrOff('200000', 'tokens'),
  RELAY_DATA_DIR: z.string().min(1).default('.relay-data'),
  RELAY_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres://user:password@host:port/database URL' }).optional(),
  RELAY_DATABASE_POOL: positiveInt(10),
  RELAY_HISTORY_RETENTION_DAYS: countOrOff('30', 'days'),
  TELEGRAM_POLL_LEASE: z.coerce.number().min(1).max(600).default(15),
  RELAY_WORKSPACES_FILE: z.string().min(1).optional(),
  RELAY_CHANNELS: z
    .string()
    .default('cli,telegram')
    .transform(commaList)
    .pipe(z.array(z.enum(['cli', 'telegram']))),
  RELAY_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  RELAY_ENCRYPTION_KEYS: encryptionKeys,
  RELAY_CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  RELAY_CODEC_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{32,512}$/, 'must be 32-512 printable characters without spaces (openssl rand -hex 32)')
    .optional(),
  RELAY_METRICS_LISTEN: z
    .string()
    .regex(/^(off|[\w.:-]+:\d{1,5})$/, 'must be host:port or "off"')
    .default('127.0.0.1:9464'),
  RELAY_CLAUDE_TIMEOUT: z.coerce.number().positive().max(600).default(120),
  RELAY_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  ...esperEnvShape,
});

/** The parsed, frozen configuration every composition root receives. */
export type RelayConfig = Readonly<ReturnType<typeof toConfig>>;

function toConfig(env: z.infer<typeof envSchema>, connection: TemporalConnection) {
  const dataDir = path.resolve(env.RELAY_DATA_DIR);
  return {
    temporal: {
      /** Address (`undefined`: the embedded dev server), namespace, TLS and API key, from envconfig. */
      ...connection,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      binary: env.TEMPORAL_BINARY,
      serverBinary: env.TEMPORAL_SERVER_BINARY,
      sqlTool: env.TEMPORAL_SQL_TOOL,
      cacheDir: env.RELAY_CACHE_DIR ? path.resolve(env.RELAY_CACHE_DIR) : undefined,
      searchPath: env.PATH,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
    },
    telegram: {
      token: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT,
      /** Messages per second the bot sends across all workers (Telegram allows about 30). */
      globalRatePerSecond: env.RELAY_TELEGRAM_RATE,
      /** Seconds the Telegram poller's lease lasts: a standby `relay up` takes over within this after the poller dies. */
      pollLeaseSeconds: env.TELEGRAM_POLL_LEASE,
      /** Set: receive updates by webhook (Telegram POSTs to `url`, we listen on `listen`); unset: long polling. */
      webhook: env.TELEGRAM_WEBHOOK_URL
        ? { url: env.TELEGRAM_WEBHOOK_URL, secret: env.TELEGRAM_WEBHOOK_SECRET!, listen: env.TELEGRAM_WEBHOOK_LISTEN }
        : undefined,
    },
    claude: {
      apiKeys: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      model: env.RELAY_MODEL,
      maxTokens: env.RELAY_MAX_TOKENS,
      /** Seconds one Claude request may take before it counts as a network failure and is retried. */
      timeoutSeconds: env.RELAY_CLAUDE_TIMEOUT,
    },
    security: {
      allowedUsers: [...new Set([...env.RELAY_ALLOWED_USERS, ...env.RELAY_ADMINS])],
      admins: env.RELAY_ADMINS,
      rateLimit: env.RELAY_RATE_LIMIT,
      maxInputChars: env.RELAY_MAX_INPUT_CHARS,
      /** Claude tokens one user may spend per UTC day (admins are exempt); null = no budget. */
      dailyTokenBudget: env.RELAY_DAILY_TOKENS,
    },
    context: { historyTokenBudget: env.RELAY_HISTORY_TOKENS, workspacesFile: env.RELAY_WORKSPACES_FILE },
    encryption: {
      /** `false` only with RELAY_ENCRYPTION=off: new payloads are written in plaintext; the keys still decrypt old ones. */
      encrypt: env.RELAY_ENCRYPTION === 'on',
      /** RELAY_ENCRYPTION_KEYS, the first one encrypts; empty = the key generated once into `keyFile`. */
      keys: env.RELAY_ENCRYPTION_KEYS,
      keyFile: path.join(dataDir, 'encryption-key'),
      /** Port of the codec HTTP endpoint the Web UI decrypts through (127.0.0.1); 0 picks a free one. */
      codecPort: env.RELAY_CODEC_PORT,
      /** Required from every caller of the codec endpoint when set, and to serve it anywhere but loopback. */
      codecToken: env.RELAY_CODEC_TOKEN,
    },
    /** Where `relay up` serves Prometheus metrics (`/metrics`); undefined = off. */
    metricsListen: env.RELAY_METRICS_LISTEN === 'off' ? undefined : env.RELAY_METRICS_LISTEN,
    esper: toEsperConfig(env),
    store: {
      /** PostgreSQL shared by every process; undefined = the embedded database under `embeddedDir` (one process). */
      databaseUrl: env.RELAY_DATABASE_URL,
      embeddedDir: path.join(dataDir, 'store'),
      /** Connections one process keeps to PostgreSQL at most. */
      poolSize: env.RELAY_DATABASE_POOL,
      /** Conversation turns older than this are deleted (hourly); null = kept until /reset. */
      historyRetentionDays: env.RELAY_HISTORY_RETENTION_DAYS,
      /** The pre-SQL file store; imported once into the SQL store, then renamed. */
      legacyFileDir: path.join(dataDir, 'state'),
    },
    dataDir,
    channels: env.RELAY_CHANNELS,
    logLevel: env.RELAY_LOG_LEVEL,
  };
}

/** Raised when the environment is invalid; `problems` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `KEY=value` lines of a `.env` file; values already in the environment win. */
export function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const entries: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    entries[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return entries;
}

/** Parses the environment (plus an optional `.env` in the working directory) into a frozen config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotEnvFile = '.env'): RelayConfig {
  const merged = { ...readDotEnv(dotEnvFile), ...env };
  const relevant = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((key) => {
      const value = merged[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const parsed = envSchema
    .refine((env) => !env.TELEGRAM_WEBHOOK_URL || env.TELEGRAM_WEBHOOK_SECRET, {
      path: ['TELEGRAM_WEBHOOK_SECRET'],
      message: 'is required with TELEGRAM_WEBHOOK_URL: it is how the relay knows a webhook call comes from Telegram',
    })
    .superRefine(checkEsperEnv)
    .transform((env, ctx) => ({ env, connection: resolveTemporalConnection(env, ctx) }))
    .safeParse(relevant);
  if (!parsed.success) {
    // Secret values (tokens, keys) are never echoed; the rules for non-secret lists quote the bad entries.
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return deepFreeze(toConfig(parsed.data.env, parsed.data.connection));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The config with secrets replaced, safe to log or print. */
export function redactConfig(config: RelayConfig): unknown {
  return {
    ...config,
    temporal: redactTemporalConnection(config.temporal),
    telegram: {
      ...config.telegram,
      token: config.telegram.token ? '<set>' : undefined,
      webhook: config.telegram.webhook ? { ...config.telegram.webhook, secret: '<set>' } : undefined,
    },
    claude: { ...config.claude, apiKeys: config.claude.apiKeys.map((_, i) => `<key ${i + 1}>`) },
    encryption: {
      ...config.encryption,
      keys: config.encryption.keys.map((key) => `<key ${key.id}>`),
      codecToken: config.encryption.codecToken ? '<set>' : undefined,
    },
    esper: redactEsperConfig(config.esper),
    store: { ...config.store, databaseUrl: config.store.databaseUrl ? redactUrlPassword(config.store.databaseUrl) : undefined },
  };
}

/** `postgres://relay:secret@db/relay` → `postgres://relay:<set>@db/relay`. */
function redactUrlPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '<set>';
  return parsed.toString();
}
