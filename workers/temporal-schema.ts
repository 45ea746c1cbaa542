/**
 * Databases of a production-shaped Temporal server, made the way operators make them: `temporal-sql-tool`
 * creates each database and applies the schema embedded in the tool (no schema files needed on the machine).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import type { PostgresTarget } from './local-postgres';

const run = promisify(execFile);

/** The tool's names for the PostgreSQL schemas it carries (`update-schema --schema-name`). */
export const POSTGRES_SCHEMAS = { default: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;

/** Creates `database` and brings it to the newest `schema` with `temporal-sql-tool`. */
export async function createTemporalDatabase(
  sqlTool: string,
  postgres: PostgresTarget,
  database: string,
  schema: (typeof POSTGRES_SCHEMAS)[keyof typeof POSTGRES_SCHEMAS],
): Promise<void> {
  const connection = ['--plugin', 'postgres12', '--ep', postgres.host, '--port', String(postgres.port), '--user', postgres.user];
  if (postgres.password) connection.push('--password', postgres.password);
  connection.push('--database', database);
  const steps = [
    ['create-database'],
    // Version 0.0 lays down only the schema-version tables; update-schema then applies every versioned step.
    ['setup-schema', '--version', '0.0'],
    ['update-schema', '--schema-name', schema],
  ];
  for (const step of steps) {
    try {
      await run(sqlTool, [...connection, ...step], { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
      const output = `${stderr ?? ''}${stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`temporal-sql-tool ${step[0]} of ${database} failed: ${output || message}`);
    }
  }
}

/** Drops `databases`, closing any connection a killed server left behind (PostgreSQL ≥ 13). */
export async function dropDatabases(postgres: PostgresTarget, databases: string[]): Promise<void> {
  const client = new pg.Client({ ...postgres, database: 'postgres', connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    for (const database of databases) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
