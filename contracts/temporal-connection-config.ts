/**
 * Where the relay's Temporal server is and how to authenticate to it, read the way every Temporal SDK and the CLI
 * read it (`@temporalio/envconfig`): a profile from `temporal.toml` (TEMPORAL_CONFIG_FILE, else the user's config
 * directory; TEMPORAL_PROFILE, else `default`), overridden variable by variable by TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS*. Envconfig is handed only these variables, never
 * `process.env`. No address anywhere means: the embedded dev server.
 */
import { existsSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { z } from 'zod';

const hostPort = /^[\w.-]+:\d{1,5}$/;
const optionalText = z.string().min(1).optional();

/** The variables envconfig reads, spread into the relay's environment schema. */
export const temporalConnectionEnvShape = {
  TEMPORAL_ADDRESS: z.string().regex(hostPort, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: optionalText,
  TEMPORAL_PROFILE: optionalText,
  TEMPORAL_CONFIG_FILE: z.string().min(1).refine(existsSync, 'no such file').optional(),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: z.enum(['true', 'false', '1', '0']).optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_CERT_DATA: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  /** Where envconfig looks for `temporalio/temporal.toml` when TEMPORAL_CONFIG_FILE is unset. */
  XDG_CONFIG_HOME: optionalText,
  HOME: optionalText,
};

type TemporalConnectionEnv = z.infer<z.ZodObject<typeof temporalConnectionEnvShape>>;

/** A certificate or key: a file read at connect time, or PEM text given inline. */
export type PemSource = { path: string } | { pem: string };

/** TLS towards the server; `false` = plaintext even where an API key would turn TLS on. */
export type TemporalTls = false | { serverName?: string; serverCaCert?: PemSource; clientCert?: PemSource; clientKey?: PemSource };

/** The resolved connection: what both the worker's and the clients' connections are built from. */
export interface TemporalConnection {
  /** `undefined` means: start (or join) the embedded dev server. */
  address?: string;
  namespace: string;
  /** `undefined` = plaintext, unless an API key is set (Temporal Cloud): then TLS with the system's CAs. */
  tls?: TemporalTls;
  apiKey?: string;
  /** The profile it came from, for messages. */
  profile?: string;
}

const tlsFiles = [
  ['serverCaCert', 'serverCACert', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'server_ca_cert_path'],
  ['clientCert', 'clientCert', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'client_cert_path'],
  ['clientKey', 'clientKey', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'client_key_path'],
] as const;

/**
 * Resolves the profile plus overrides into a {@link TemporalConnection}. Problems are added to `ctx` under the
 * name of the variable (or profile) to fix: a missing profile, a file that is not TOML, a TLS file that does not
 * exist, a client certificate without its key, TLS or an API key with no server address.
 */
export function resolveTemporalConnection(env: TemporalConnectionEnv, ctx: z.RefinementCtx): TemporalConnection {
  const where = env.TEMPORAL_PROFILE ? `profile "${env.TEMPORAL_PROFILE}"` : 'the default profile';
  const file = env.TEMPORAL_CONFIG_FILE ?? 'temporal.toml';
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      profile: env.TEMPORAL_PROFILE,
      configSource: env.TEMPORAL_CONFIG_FILE ? { path: env.TEMPORAL_CONFIG_FILE } : undefined,
      overrideEnvVars: definedOnly(env),
    });
  } catch (error) {
    // The first line only: TOML parse errors go on to quote the offending line, which may hold an api_key.
    const reason = (error as Error).message.split('\n')[0]!;
    ctx.addIssue({
      code: 'custom',
      path: [/not found/.test(reason) ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE'],
      message: `cannot use ${where} of ${file}: ${reason}`,
    });
    return { namespace: env.TEMPORAL_NAMESPACE ?? 'default' };
  }
  if (profile.address !== undefined && !hostPort.test(profile.address)) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_PROFILE'], message: `address in ${where} of ${file} must be host:port` });
  }
  const tls = toTemporalTls(profile, env, where, ctx);
  if (profile.address === undefined && (tls || profile.apiKey)) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_ADDRESS'],
      message: 'TLS or an API key is configured but no server address: set TEMPORAL_ADDRESS or address in the profile',
    });
  }
  return {
    address: profile.address,
    namespace: profile.namespace ?? 'default',
    tls,
    apiKey: profile.apiKey,
    profile: env.TEMPORAL_PROFILE,
  };
}

function toTemporalTls(
  profile: ClientConfigProfile,
  env: TemporalConnectionEnv,
  where: string,
  ctx: z.RefinementCtx,
): TemporalTls | undefined {
  if (!profile.tls) return undefined;
  if (profile.tls.disabled) return false;
  const tls: Exclude<TemporalTls, false> = { serverName: profile.tls.serverName };
  for (const [key, envconfigKey, variable, tomlKey] of tlsFiles) {
    const source = pemSource(profile.tls[envconfigKey]);
    if (source && 'path' in source && !existsSync(source.path)) {
      const fromVariable = env[variable] !== undefined;
      ctx.addIssue({
        code: 'custom',
        path: [fromVariable ? variable : 'TEMPORAL_PROFILE'],
        message: `${fromVariable ? '' : `tls.${tomlKey} in ${where}: `}no such file ${source.path}`,
      });
    }
    if (source) tls[key] = source;
  }
  if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    ctx.addIssue({
      code: 'custom',
      path: [tls.clientCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
      message: 'mTLS needs both the client certificate and its key',
    });
  }
  return tls;
}

function pemSource(source: ConfigDataSource | undefined): PemSource | undefined {
  if (!source) return undefined;
  if ('path' in source) return { path: source.path };
  return { pem: typeof source.data === 'string' ? source.data : new TextDecoder().decode(source.data) };
}

function definedOnly(env: TemporalConnectionEnv): Record<string, string> {
  const keys = Object.keys(temporalConnectionEnvShape) as Array<keyof TemporalConnectionEnv>;
  return Object.fromEntries(keys.flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
}

/** The connection with the API key and inline key material replaced, safe to log. */
export function redactTemporalConnection<T extends TemporalConnection>(connection: T): T {
  const hide = (source?: PemSource) => (source && 'pem' in source ? { pem: '<inline>' } : source);
  const tls = connection.tls && {
    ...connection.tls,
    serverCaCert: hide(connection.tls.serverCaCert),
    clientCert: hide(connection.tls.clientCert),
    clientKey: hide(connection.tls.clientKey),
  };
  return { ...connection, apiKey: connection.apiKey ? '<set>' : undefined, tls };
}
