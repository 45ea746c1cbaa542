/**
 * Opens the relay's SQL store from config: PostgreSQL when RELAY_DATABASE_URL is set (shared by every process),
 * the embedded database under RELAY_DATA_DIR otherwise (this process only). Applies the schema migrations and
 * imports an old file store once. Every process builds exactly one and closes it on stop.
 */
import type { Logger } from 'pino';
import { EmbeddedDatabase } from '../stores/sql/embedded-database';
import { importFileState } from '../stores/sql/import-file-state';
import { migrate } from '../stores/sql/migrations';
import { PostgresDatabase } from '../stores/sql/postgres-database';
import { SqlStore } from '../stores/sql-store';
import type { RelayConfig } from '../contracts/config';

const HOUR_MS = 3_600_000;

/** The open store plus its housekeeping (conversation retention); `close()` stops both. */
export interface OpenedStore {
  store: SqlStore;
  close(): Promise<void>;
}

/** Opens, migrates and (once) imports; fails with a message naming the database when it cannot be reached. */
export async function openRelayStore(config: RelayConfig, log?: Logger): Promise<OpenedStore> {
  const { databaseUrl, embeddedDir, poolSize, historyRetentionDays, legacyFileDir } = config.store;
  const db = databaseUrl ? new PostgresDatabase({ url: databaseUrl, maxConnections: poolSize }) : await EmbeddedDatabase.open(embeddedDir);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log?.info({ store: db.description, versions: applied }, 'store schema migrated');
    const imported = await importFileState(db, legacyFileDir);
    if (imported > 0) log?.info({ store: db.description, keys: imported, from: legacyFileDir }, 'imported the old file store');
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new Error(`cannot open the state store (${db.description}): ${(error as Error).message}`, { cause: error });
  }
  const store = new SqlStore(db);
  const retention = historyRetentionDays === null ? undefined : startRetention(store, historyRetentionDays, log);
  return {
    store,
    close: async () => {
      if (retention) clearInterval(retention);
      await store.close();
    },
  };
}

/** Deletes old conversation turns now and every hour (idempotent, so every process may do it). */
function startRetention(store: SqlStore, days: number, log?: Logger): NodeJS.Timeout {
  const prune = () =>
    store
      .pruneConversations((days * 24 * HOUR_MS) / 1000)
      .then((deleted) => deleted > 0 && log?.info({ deleted, days }, 'pruned old conversation turns'))
      .catch((error: Error) => log?.warn({ err: error }, 'conversation retention failed; retrying in an hour'));
  void prune();
  return setInterval(prune, HOUR_MS).unref();
}
