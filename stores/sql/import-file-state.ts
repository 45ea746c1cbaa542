import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Turn } from '../../domain/history-budget';
import type { SqlDatabase } from './database';

/**
 * One-time import of the file store earlier versions kept (`RELAY_DATA_DIR/state`, one JSON file per key):
 * conversation logs become rows of the conversation tables, every other key a row of `relay_state`. Rows already
 * in the database win. The folder is renamed to `state.imported` afterwards, so the import runs once.
 * Returns the number of keys imported (0 when there was nothing to import).
 */
export async function importFileState(db: SqlDatabase, dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((kind) => kind.isDirectory())
    .flatMap((kind) =>
      readdirSync(path.join(dir, kind.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => ({
          key: keyOfFile(kind.name, file),
          value: JSON.parse(readFileSync(path.join(dir, kind.name, file), 'utf8')) as unknown,
        })),
    );
  await db.transaction(async (tx) => {
    for (const { key, value } of entries) {
      if (key.startsWith('history:')) {
        const log = value as { nextSeq: number; turns: Turn[] };
        await tx.query('INSERT INTO relay_conversations (conversation_key, next_seq) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          key,
          log.nextSeq,
        ]);
        for (const turn of log.turns) {
          await tx.query(
            `INSERT INTO relay_conversation_turns (conversation_key, seq, message_id, role, text) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING`,
            [key, turn.seq, turn.messageId, turn.role, turn.text],
          );
        }
      } else {
        await tx.query('INSERT INTO relay_state (key, value) VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING', [key, JSON.stringify(value)]);
      }
    }
  });
  renameSync(dir, `${dir}.imported`);
  return entries.length;
}

/** The file store's naming, reversed: `<kind>/<escaped rest>.json` → `kind:rest` (`_` stood for no rest). */
function keyOfFile(kind: string, file: string): string {
  const rest = decodeURIComponent(file.slice(0, -'.json'.length));
  return rest === '_' ? decodeURIComponent(kind) : `${decodeURIComponent(kind)}:${rest}`;
}
