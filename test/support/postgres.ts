/**
 * The machine's real PostgreSQL for tests (127.0.0.1:5432, trust auth, user postgres; RELAY_TEST_POSTGRES_URL
 * overrides). Machines of this kind start it at boot; when it is not answering, this starts the installed
 * cluster, or fails saying what is missing. Every test gets databases of its own, dropped afterwards.
 */
import { migrate } from '../../stores/sql/migrations';
import { PostgresDatabase } from '../../stores/sql/postgres-database';
import { SqlStore } from '../../stores/sql-store';
import { createFreshDatabase, postgresTargetFromUrl, type FreshDatabase } from '../../workers/local-postgres';

export const POSTGRES_ADMIN_URL = process.env.RELAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty database; `drop()` removes it (ending any connection still open to it). */
export function createTestDatabase(prefix = 'relay_test'): Promise<FreshDatabase> {
  return createFreshDatabase(prefix, postgresTargetFromUrl(POSTGRES_ADMIN_URL));
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
