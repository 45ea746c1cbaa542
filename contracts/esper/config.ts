/**
 * The Esper part of the environment: which bus the relay talks to Esper on, and whether the simulator plays
 * Esper's side. Unset ESPER_REDIS_URL = the in-process bus with the simulator (the embedded default); set = Oona
 * on that Redis, signed with ESPER_SIGNING_SECRETS, and no simulator unless ESPER_SIMULATOR=on.
 */
import { z } from 'zod';
import { commaList } from '../config-values';
import { MIN_SECRET_LENGTH } from './envelope-signing';

/** Shared HMAC secrets, comma-separated: the first signs, all verify (so a rotation can overlap). */
const signingSecrets = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const secrets = commaList(raw);
    const short = secrets.flatMap((secret, index) => (secret.length < MIN_SECRET_LENGTH ? [index + 1] : []));
    // The values are secrets: name their positions, never echo them.
    if (short.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `every secret needs at least ${MIN_SECRET_LENGTH} characters; too short: secret ${short.join(', ')}`,
      });
    }
    return secrets;
  });

/** A duration in (possibly fractional) seconds, up to a day, read as milliseconds. */
const seconds = (fallback: number) =>
  z.coerce
    .number()
    .positive()
    .max(86_400)
    .default(fallback)
    .transform((value) => Math.round(value * 1000));

/** The ESPER_* variables, spread into the relay's environment schema. */
export const esperEnvShape = {
  ESPER_REDIS_URL: z
    .url()
    .refine((url) => /^rediss?:\/\//.test(url), 'must be a redis:// or rediss:// URL')
    .optional(),
  ESPER_SIGNING_SECRETS: signingSecrets,
  ESPER_SIMULATOR: z.enum(['auto', 'on', 'off']).default('auto'),
  ESPER_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]{0,64}$/, 'must be up to 64 characters of letters, digits, _, ., : and -')
    .default(''),
  ESPER_COMPILE_SLOTS: z.coerce.number().int().positive().max(10_000).default(100),
  ESPER_BREAKER_FAILURES: z.coerce.number().int().positive().max(100).default(3),
  ESPER_BREAKER_OPEN: seconds(30),
  ESPER_HEARTBEAT_TIMEOUT: seconds(30),
  ESPER_SIM_HEARTBEAT: seconds(5),
  ESPER_ROLLBACK_CONFIRM: seconds(60),
};

type EsperEnv = z.infer<z.ZodObject<typeof esperEnvShape>>;

/** Cross-variable rules, reported like the others (by variable name). */
export function checkEsperEnv(env: EsperEnv, ctx: z.RefinementCtx): void {
  if (env.ESPER_REDIS_URL && env.ESPER_SIGNING_SECRETS.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['ESPER_SIGNING_SECRETS'],
      message: 'is required with ESPER_REDIS_URL: Oona drops every envelope whose HMAC it cannot verify',
    });
  }
}

/** How the relay reaches Esper. */
export type EsperBusConfig =
  | { kind: 'in-process' }
  | {
      kind: 'oona-redis';
      /** May hold a password: never logged (see `redactEsperConfig`). */
      url: string;
      /** First signs, all verify. */
      signingSecrets: readonly string[];
      /** Prepended to every Redis key, so several relays (or tests) can share one Redis. */
      keyPrefix: string;
    };

/** The `esper` section of the relay's config. */
export function toEsperConfig(env: EsperEnv) {
  const bus: EsperBusConfig = env.ESPER_REDIS_URL
    ? { kind: 'oona-redis', url: env.ESPER_REDIS_URL, signingSecrets: env.ESPER_SIGNING_SECRETS, keyPrefix: env.ESPER_KEY_PREFIX }
    : { kind: 'in-process' };
  return {
    bus,
    /** Whether this process also runs the Esper simulator: by default only on the in-process bus. */
    simulator: env.ESPER_SIMULATOR === 'auto' ? bus.kind === 'in-process' : env.ESPER_SIMULATOR === 'on',
    /** Blueprints compiling at once across the relay (ESPER.md's first queue cap). */
    compileSlots: env.ESPER_COMPILE_SLOTS,
    /** The health registry's breakers: this many failures in a row open one for `openMs`; silence fails it. */
    breakers: {
      failureThreshold: env.ESPER_BREAKER_FAILURES,
      openMs: env.ESPER_BREAKER_OPEN,
      heartbeatTimeoutMs: env.ESPER_HEARTBEAT_TIMEOUT,
    },
    /** How long `/rollback` waits for an admin to press Confirm. */
    rollbackConfirmationMs: env.ESPER_ROLLBACK_CONFIRM,
    /** How often each simulated subsystem reports HEALTHY. */
    simulatorHeartbeatMs: env.ESPER_SIM_HEARTBEAT,
  };
}
export type EsperConfig = ReturnType<typeof toEsperConfig>;

/** The Esper section with the Redis password and the secrets replaced. */
export function redactEsperConfig(config: EsperConfig): unknown {
  if (config.bus.kind !== 'oona-redis') return config;
  const url = new URL(config.bus.url);
  if (url.password) url.password = '<set>';
  return {
    ...config,
    bus: { ...config.bus, url: url.toString(), signingSecrets: config.bus.signingSecrets.map((_, i) => `<secret ${i + 1}>`) },
  };
}

/** Where an Oona bus is, without its password: `Oona on redis://host:port (keys prefix*)`. */
export function describeOona(bus: Extract<EsperBusConfig, { kind: 'oona-redis' }>): string {
  const url = new URL(bus.url);
  return `Oona on ${url.protocol}//${url.host}${bus.keyPrefix ? ` (keys ${bus.keyPrefix}*)` : ''}`;
}

/** One phrase for the ready line: which bus, and whether the simulator plays Esper (no secrets). */
export function describeEsper(config: EsperConfig): string {
  const simulator = config.simulator ? ' with the Esper simulator' : '';
  return `Esper: ${config.bus.kind === 'in-process' ? 'in-process bus' : describeOona(config.bus)}${simulator}`;
}
