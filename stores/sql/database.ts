/**
 * The relay's one SQL store, behind a small driver interface with two implementations: PostgreSQL (`pg`, when
 * RELAY_DATABASE_URL is set; any number of processes share it) and an embedded PostgreSQL (PGlite, under
 * RELAY_DATA_DIR; one process). Both speak PostgreSQL's dialect, so the schema and every query exist once.
 */

/** Something queries run on: the database itself, or one transaction of it. */
export interface SqlQueryable {
  /** Runs one statement with `$1…` parameters and returns its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (the schema migrations). */
  execute(script: string): Promise<void>;
}

export interface SqlDatabase extends SqlQueryable {
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Where the data lives, for logs and error messages (never a password). */
  readonly description: string;
  close(): Promise<void>;
}
