import type { SqlDatabase } from './database';

/** One step of the schema. Never edit a step that has shipped: add the next one. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'key/value state, conversation history, leases',
    sql: `
      -- Small per-key state the activities keep: rate-limit windows, chat preferences, usage, pacing, delivery
      -- receipts, notices, Urza's catalogue, compile slots. One row per key, updated under a row lock.
      CREATE TABLE relay_state (
        key        text PRIMARY KEY,
        value      jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- One row per conversation (chat and workspace): the next turn's sequence number, which keeps counting
      -- across /reset so an old reference to a turn stays unambiguous.
      CREATE TABLE relay_conversations (
        conversation_key text PRIMARY KEY,
        next_seq         integer NOT NULL DEFAULT 1
      );
      CREATE TABLE relay_conversation_turns (
        conversation_key text NOT NULL REFERENCES relay_conversations ON DELETE CASCADE,
        seq              integer NOT NULL,
        message_id       text NOT NULL,
        role             text NOT NULL CHECK (role IN ('user', 'assistant')),
        text             text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_key, seq),
        UNIQUE (conversation_key, message_id, role)
      );
      CREATE INDEX relay_conversation_turns_created_at ON relay_conversation_turns (created_at);
      -- Something only one process may do at a time (poll Telegram with one bot token): held until expires_at
      -- unless renewed. Times are the database's own clock, so the processes' clocks never have to agree.
      CREATE TABLE relay_leases (
        name       text PRIMARY KEY,
        holder     text NOT NULL,
        expires_at timestamptz NOT NULL
      );
    `,
  },
];

/** Any fixed number, the same in every process: whoever holds it is the one migrating. */
const MIGRATION_LOCK = 7_265_108_097;

/**
 * Brings the schema up to date: the missing steps in order, in one transaction under an advisory lock, so two
 * processes starting at once migrate once (the second waits, then finds nothing to do). Returns the versions it
 * applied.
 */
export async function migrate(db: SqlDatabase): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`
      CREATE TABLE IF NOT EXISTS relay_schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM relay_schema_migrations')).map((row) => row.version));
    const newest = Math.max(0, ...applied);
    const latest = migrations.at(-1)!.version;
    if (newest > latest) {
      throw new Error(`the database schema is at version ${newest}, newer than this relay knows (${latest}): upgrade the relay`);
    }
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.execute(migration.sql);
      await tx.query('INSERT INTO relay_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    return pending.map((migration) => migration.version);
  });
}
