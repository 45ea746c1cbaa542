/**
 * The machine's own PostgreSQL, for the production-shaped Temporal server of tests and benches. When it is not
 * answering but Debian's cluster tools are installed, this starts the installed cluster and waits for it, or fails
 * saying what is missing; and fresh databases of their own for test and benchmark runs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

/** Where and as whom to reach PostgreSQL; the user must be allowed to create databases. */
export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
}

/** This machine kind's PostgreSQL: 127.0.0.1:5432, trust authentication for `postgres`. */
export const LOCAL_POSTGRES: PostgresTarget = Object.freeze({ host: '127.0.0.1', port: 5432, user: 'postgres' });

/** Debian keeps one directory per installed major version here (`/etc/postgresql/15/main`). */
const DEBIAN_CLUSTERS = '/etc/postgresql';

/** Why PostgreSQL does not answer `SELECT 1`, or undefined when it does. */
async function probe(target: PostgresTarget): Promise<string | undefined> {
  const client = new pg.Client({ ...target, database: 'postgres', connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves once PostgreSQL answers at `target`, starting the installed Debian cluster if it is down. */
export async function ensurePostgres(target: PostgresTarget = LOCAL_POSTGRES): Promise<void> {
  const why = await probe(target);
  if (why === undefined) return;
  const address = `${target.host}:${target.port}`;
  const versions = existsSync(DEBIAN_CLUSTERS) ? readdirSync(DEBIAN_CLUSTERS) : [];
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL is not answering on ${address} (${why}) and no cluster is installed in ${DEBIAN_CLUSTERS}. ` +
        'Install it (Debian: apt-get install postgresql) or start PostgreSQL on that address.',
    );
  }
  const started = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0]!, 'main', 'start'], { encoding: 'utf8' });
  if (started.error || started.status !== 0) {
    const reason = started.error?.message ?? (started.stderr || started.stdout).trim();
    throw new Error(`PostgreSQL is not answering on ${address} (${why}) and pg_ctlcluster could not start it: ${reason}`);
  }
  const deadline = Date.now() + 30_000;
  let last = why;
  while (Date.now() < deadline) {
    const now = await probe(target);
    if (now === undefined) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`PostgreSQL ${versions[0]} was started but did not answer on ${address} within 30 s (${last})`);
}

/** A database made for one test or benchmark run; `drop()` removes it, ending any connection still open to it. */
export interface FreshDatabase {
  name: string;
  /** `postgres://user@host:port/name`, for RELAY_DATABASE_URL. */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database named `<prefix>_<random hex>` at `target` (started first if installed but down). */
export async function createFreshDatabase(prefix: string, target: PostgresTarget = LOCAL_POSTGRES): Promise<FreshDatabase> {
  await ensurePostgres(target);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(target, (client) => `CREATE DATABASE ${client.escapeIdentifier(name)}`);
  const url = new URL(`postgres://${target.host}:${target.port}/${name}`);
  url.username = target.user;
  if (target.password) url.password = target.password;
  let dropped: Promise<void> | undefined;
  const drop = () => (dropped ??= adminQuery(target, (client) => `DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
  return { name, url: url.toString(), drop };
}

/** The target a `postgres://user[:password]@host[:port]/…` URL names (its database part is ignored). */
export function postgresTargetFromUrl(raw: string): PostgresTarget {
  const url = new URL(raw);
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  return { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username) || 'postgres', password };
}

async function adminQuery(target: PostgresTarget, sql: (client: pg.Client) => string): Promise<void> {
  const client = new pg.Client({ ...target, database: 'postgres', connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql(client));
  } finally {
    await client.end();
  }
}
