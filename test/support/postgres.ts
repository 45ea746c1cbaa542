/**
 * The machine's real PostgreSQL for tests (127.0.0.1:5432, trust auth, user postgres; RELAY_TEST_POSTGRES_URL
 * overrides). Machines of this kind start it at boot; when it is not answering, this starts the installed
 * cluster, or fails saying what is missing. Every test gets databases of its own, dropped afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../../activities/stores/sql/migrations';
import { PostgresDatabase } from '../../activities/stores/sql/postgres-database';
import { SqlStore } from '../../activities/stores/sql-store';

export const POSTGRES_ADMIN_URL = process.env.RELAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let check: Promise<void> | undefined;

/** Resolves once PostgreSQL answers, starting the installed cluster if needed (checked once per test process). */
export function ensurePostgres(): Promise<void> {
  return (check ??= (async () => {
    if (await answers(POSTGRES_ADMIN_URL)) return;
    let versions: string[] = [];
    try {
      versions = readdirSync('/etc/postgresql');
    } catch {
      // not installed
    }
    for (const version of versions) {
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { encoding: 'utf8' });
    }
    for (let attempt = 0; attempt < 30; attempt++) {
      if (await answers(POSTGRES_ADMIN_URL)) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(
      `PostgreSQL is not answering at ${new URL(POSTGRES_ADMIN_URL).host} and could not be started. ` +
        'Install it (Debian: apt-get install postgresql) or set RELAY_TEST_POSTGRES_URL to a server tests may create databases on.',
    );
  })());
}

/** A fresh, empty database; `drop()` removes it (ending any connection still open to it). */
export async function createTestDatabase(prefix = 'relay_test'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  await ensurePostgres();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A store on a test database; closing the one that created the database also drops it. */
export class TestStore extends SqlStore {
  constructor(
    readonly url: string,
    private readonly drop?: () => Promise<void>,
  ) {
    super(new PostgresDatabase({ url, maxConnections: 4 }));
  }

  override async close(): Promise<void> {
    await super.close();
    await this.drop?.();
  }
}

/** A migrated store on a fresh database of its own; `close()` closes it and drops the database. */
export async function openTestStore(): Promise<TestStore> {
  const database = await createTestDatabase();
  const db = new PostgresDatabase({ url: database.url, maxConnections: 1 });
  await migrate(db);
  await db.close();
  return new TestStore(database.url, database.drop);
}

/** A second store on the same database (another process, or the same one after a restart); it drops nothing. */
export const reopenTestStore = (store: TestStore) => new TestStore(store.url);
