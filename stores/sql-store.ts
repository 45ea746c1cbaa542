import { ConversationTable } from './conversation-store';
import type { SqlDatabase } from './sql/database';
import { withStoreFailures } from './sql/store-failures';
import type { Leases, RelayStore } from './state-store';

/**
 * The relay's store on SQL (PostgreSQL or the embedded PGlite): key/value state in `relay_state`, conversation
 * history in `relay_conversation_turns`, leases in `relay_leases`. Every atomic update is a transaction holding a
 * lock in the database, so it holds across every process that shares the database. Expects a migrated schema
 * (see `sql/migrations.ts`).
 */
export class SqlStore implements RelayStore {
  readonly conversations: ConversationTable;
  readonly leases: Leases;
  readonly description: string;
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = withStoreFailures(db);
    this.description = db.description;
    this.conversations = new ConversationTable(this.db);
    this.leases = new LeaseTable(this.db);
  }

  async read<T>(key: string): Promise<T | undefined> {
    const [row] = await this.db.query<{ value: T }>('SELECT value FROM relay_state WHERE key = $1', [key]);
    return row?.value;
  }

  update<T>(key: string, change: (current: T | undefined) => T): Promise<T> {
    return this.db.transaction(async (tx) => {
      // An advisory lock on the key (not a row lock) also serialises the very first write of a key.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
      const [row] = await tx.query<{ value: T }>('SELECT value FROM relay_state WHERE key = $1', [key]);
      const next = change(row?.value);
      await tx.query(
        `INSERT INTO relay_state (key, value) VALUES ($1, $2::jsonb)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [key, JSON.stringify(next)],
      );
      return next;
    });
  }

  /** Deletes conversation turns older than `retentionSeconds`; returns how many went. */
  pruneConversations(retentionSeconds: number): Promise<number> {
    return this.conversations.prune(retentionSeconds);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

class LeaseTable implements Leases {
  constructor(private readonly db: SqlDatabase) {}

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    // Taken when free or expired, renewed when ours; one statement, so two takers can never both win.
    const rows = await this.db.query(
      `INSERT INTO relay_leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE relay_leases.holder = excluded.holder OR relay_leases.expires_at <= now()
       RETURNING holder`,
      [name, holder, ttlMs],
    );
    return rows.length === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.query('DELETE FROM relay_leases WHERE name = $1 AND holder = $2', [name, holder]);
  }
}
