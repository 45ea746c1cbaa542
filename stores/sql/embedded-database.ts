import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDatabase, SqlQueryable } from './database';

/**
 * The embedded default: PostgreSQL compiled to WebAssembly (PGlite), persisted in a folder, running inside this
 * process. Chosen over SQLite because it is PostgreSQL itself — the schema and every query are the production
 * ones, tested once — and it installs as a plain npm package with no native build. It serves one process: a
 * lock file beside the folder refuses a second process with a message that says to use RELAY_DATABASE_URL.
 */
export class EmbeddedDatabase implements SqlDatabase {
  readonly description: string;

  private constructor(
    private readonly db: PGlite,
    private readonly lockFile: string,
    dir: string,
  ) {
    this.description = `embedded PostgreSQL in ${dir}`;
  }

  /** Opens (creating on first use) the database in `dir`. */
  static async open(dir: string): Promise<EmbeddedDatabase> {
    mkdirSync(path.dirname(dir), { recursive: true });
    const lockFile = `${dir}.lock`;
    takeLock(lockFile, dir);
    try {
      return new EmbeddedDatabase(await PGlite.create(dir), lockFile, dir);
    } catch (error) {
      rmSync(lockFile, { force: true });
      throw error;
    }
  }

  async query<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.db.query<Row>(text, params)).rows;
  }

  async execute(script: string): Promise<void> {
    await this.db.exec(script);
  }

  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: async <Row>(text: string, params: unknown[] = []) => (await tx.query<Row>(text, params)).rows,
        execute: async (script) => void (await tx.exec(script)),
      }),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
    rmSync(this.lockFile, { force: true });
  }
}

/** Creates `lockFile` holding our pid; a lock left by a process that is gone is taken over. */
function takeLock(lockFile: string, dir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `the embedded store in ${dir} is in use by process ${holder}. It serves one process; to run several ` +
            'relay processes (relay up plus relay worker), give them all the same RELAY_DATABASE_URL (PostgreSQL).',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
