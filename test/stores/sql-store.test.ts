import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedDatabase } from '../../stores/sql/embedded-database';
import { importFileState } from '../../stores/sql/import-file-state';
import { migrate, migrations } from '../../stores/sql/migrations';
import { PostgresDatabase } from '../../stores/sql/postgres-database';
import { SqlStore } from '../../stores/sql-store';
import { MAX_STORED_TURNS } from '../../stores/conversation-store';
import { createTestDatabase, openTestStore, reopenTestStore } from '../support/postgres';
import { Resources } from '../activities/support';

describe('the SQL store on PostgreSQL', () => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  it('keeps values across a reopen and updates one key atomically under concurrent writers of two stores', async () => {
    const first = resources.track(await openTestStore());
    const second = resources.track(reopenTestStore(first));
    // 2 × 50 increments of one counter from two stores (two pools, as two processes would have): none is lost.
    await Promise.all(
      [first, second].flatMap((store) => Array.from({ length: 50 }, () => store.update<number>('counter:x', (n = 0) => n + 1))),
    );
    expect(await first.read('counter:x')).toBe(100);
    expect(await second.read('never:written')).toBeUndefined();
    await first.update('prefs:1', () => ({ workspace: 'ops', flags: [1, 2] }));
    expect(await reopenTestStore(first).read('prefs:1')).toEqual({ workspace: 'ops', flags: [1, 2] });
  });

  it('lets an error thrown by the change through unchanged, and stores nothing', async () => {
    const store = resources.track(await openTestStore());
    await store.update('k', () => 1);
    const refused = new Error('not allowed');
    await expect(
      store.update('k', () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(await store.read('k')).toBe(1);
  });

  it('keeps conversation turns in a table: ordered, idempotent appends, reset keeps counting, capped', async () => {
    const store = resources.track(await openTestStore());
    const key = 'history:cli:1:default';
    await store.conversations.appendExchange(key, 'm1', 'hi', 'hello');
    await store.conversations.appendExchange(key, 'm1', 'hi', 'hello'); // a retried step
    await store.conversations.appendExchange(key, 'm2', 'how are you', 'fine');
    expect((await store.conversations.turns(key)).map((turn) => [turn.seq, turn.role, turn.text])).toEqual([
      [1, 'user', 'hi'],
      [2, 'assistant', 'hello'],
      [3, 'user', 'how are you'],
      [4, 'assistant', 'fine'],
    ]);
    expect(await store.conversations.answerTo(key, 'm2')).toBe('fine');
    expect((await store.conversations.turnsBetween(key, 2, 3)).map((turn) => turn.seq)).toEqual([2, 3]);

    await store.conversations.reset(key);
    expect(await store.conversations.turns(key)).toEqual([]);
    await store.conversations.appendExchange(key, 'm3', 'again', 'yes');
    expect((await store.conversations.turns(key)).map((turn) => turn.seq)).toEqual([5, 6]);

    for (let i = 0; i < MAX_STORED_TURNS / 2 + 5; i++) await store.conversations.appendExchange(key, `n${i}`, 'q', 'a');
    expect(await store.conversations.turns(key)).toHaveLength(MAX_STORED_TURNS);
  });

  it('prunes conversation turns older than the retention', async () => {
    const store = resources.track(await openTestStore());
    await store.conversations.appendExchange('history:cli:1:default', 'old', 'q', 'a');
    const db = resources.track(new PostgresDatabase({ url: store.url, maxConnections: 1 }));
    await db.query(`UPDATE relay_conversation_turns SET created_at = now() - interval '40 days'`);
    await store.conversations.appendExchange('history:cli:1:default', 'new', 'q2', 'a2');
    expect(await store.pruneConversations(30 * 86_400)).toBe(2);
    expect((await store.conversations.turns('history:cli:1:default')).map((turn) => turn.messageId)).toEqual(['new', 'new']);
  });

  it('gives a lease to one holder at a time, renews it for that holder, and hands it over once released or expired', async () => {
    const store = resources.track(await openTestStore());
    const other = resources.track(reopenTestStore(store));
    const results = await Promise.all([store.leases.tryAcquire('poll', 'a', 60_000), other.leases.tryAcquire('poll', 'b', 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const [winner, loser] = results[0] ? ['a', 'b'] : ['b', 'a'];
    expect(await store.leases.tryAcquire('poll', winner, 60_000)).toBe(true); // renewal
    expect(await store.leases.tryAcquire('poll', loser, 60_000)).toBe(false);
    await store.leases.release('poll', winner);
    expect(await other.leases.tryAcquire('poll', loser, 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.leases.tryAcquire('poll', winner, 60_000)).toBe(true); // the 1 ms lease expired
  });

  it('migrates once when two processes start at once, and refuses a schema newer than it knows', async () => {
    const database = await createTestDatabase();
    const a = new PostgresDatabase({ url: database.url, maxConnections: 1 });
    const b = new PostgresDatabase({ url: database.url, maxConnections: 1 });
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      expect([...first, ...second]).toEqual(migrations.map((migration) => migration.version));
      await a.query(`INSERT INTO relay_schema_migrations (version, name) VALUES (9999, 'from the future')`);
      await expect(migrate(b)).rejects.toThrow(/newer than this relay knows/);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });

  it('fails with a retryable StoreFailed naming the database when PostgreSQL cannot be reached', async () => {
    const store = new SqlStore(new PostgresDatabase({ url: 'postgres://relay:secret@127.0.0.1:1/relay', connectTimeoutMs: 1_000 }));
    try {
      const failure = await store.update('k', () => 1).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'StoreFailed', nonRetryable: false });
      expect((failure as Error).message).toMatch(/PostgreSQL relay on 127\.0\.0\.1:1/);
      expect((failure as Error).message).not.toContain('secret');
      await expect(store.read('k')).rejects.toMatchObject({ type: 'StoreFailed' });
    } finally {
      await store.close();
    }
  });

  it('imports an old file store once: keys, conversation logs, and the folder renamed', async () => {
    const store = resources.track(await openTestStore());
    const dir = resources.tempDir();
    mkdirSync(path.join(dir, 'prefs'));
    writeFileSync(path.join(dir, 'prefs', 'cli%3A42.json'), JSON.stringify({ workspace: 'ops' }));
    mkdirSync(path.join(dir, 'history'));
    const log = {
      nextSeq: 3,
      turns: [
        { seq: 1, messageId: 'm', role: 'user', text: 'hi' },
        { seq: 2, messageId: 'm', role: 'assistant', text: 'yo' },
      ],
    };
    writeFileSync(path.join(dir, 'history', 'cli%3A42%3Adefault.json'), JSON.stringify(log));
    const db = resources.track(new PostgresDatabase({ url: store.url, maxConnections: 1 }));

    expect(await importFileState(db, dir)).toBe(2);
    expect(await store.read('prefs:cli:42')).toEqual({ workspace: 'ops' });
    expect((await store.conversations.turns('history:cli:42:default')).map((turn) => turn.text)).toEqual(['hi', 'yo']);
    await store.conversations.appendExchange('history:cli:42:default', 'n', 'q', 'a');
    expect((await store.conversations.turns('history:cli:42:default')).at(-1)?.seq).toBe(4);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.imported`)).toBe(true);
    expect(await importFileState(db, dir)).toBe(0);
    rmSync(`${dir}.imported`, { recursive: true, force: true });
  });
});

describe('the embedded store', () => {
  it('persists across a reopen and refuses a second process with a message naming RELAY_DATABASE_URL', { timeout: 180_000 }, async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'relay-embedded-')), 'store');
    try {
      const db = await EmbeddedDatabase.open(dir);
      await migrate(db);
      await new SqlStore(db).update('k', () => ({ kept: true }));
      await db.close();

      const reopened = await EmbeddedDatabase.open(dir);
      expect(await migrate(reopened)).toEqual([]);
      expect(await new SqlStore(reopened).read('k')).toEqual({ kept: true });
      // The folder held by another living process (the lock file names our parent): refused, saying what to do.
      const lock = `${dir}.lock`;
      writeFileSync(lock, String(process.ppid));
      await expect(EmbeddedDatabase.open(dir)).rejects.toThrow(/in use by process \d+.*RELAY_DATABASE_URL/s);
      writeFileSync(lock, String(process.pid));
      await reopened.close();
      expect(existsSync(lock)).toBe(false);
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
