import pg from 'pg';
import type { SqlDatabase, SqlQueryable } from './database';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (RELAY_DATABASE_URL). */
  url: string;
  /** Connections this process keeps open at most. */
  maxConnections?: number;
  /** How long to wait for a connection before the call fails (and the activity retries). */
  connectTimeoutMs?: number;
}

/** `postgres://user:…@host:5432/relay` → `PostgreSQL relay on host:5432`, with no credentials. */
export function describePostgresUrl(url: string): string {
  const parsed = new URL(url);
  return `PostgreSQL ${decodeURIComponent(parsed.pathname.slice(1)) || '(default database)'} on ${parsed.host}`;
}

/** A PostgreSQL server shared by every relay process (a connection pool). */
export class PostgresDatabase implements SqlDatabase {
  readonly description: string;
  private readonly pool: pg.Pool;

  constructor(options: PostgresOptions) {
    this.description = describePostgresUrl(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      // A connection the server dropped (restart, failover) is reported here and replaced on the next query.
      idleTimeoutMillis: 30_000,
    });
    this.pool.on('error', () => undefined);
  }

  async query<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(text, params)).rows as Row[];
  }

  async execute(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    let broken = false;
    try {
      await connection.query('BEGIN');
      const result = await work({
        query: async <Row>(text: string, params: unknown[] = []) => (await connection.query(text, params)).rows as Row[],
        // Without parameters pg uses the simple query protocol, which runs several statements in one call.
        execute: async (script) => void (await connection.query(script)),
      });
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      // A connection whose rollback failed is in an unknown state: destroy it rather than hand it out again.
      connection.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
