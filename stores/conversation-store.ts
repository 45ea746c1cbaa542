import type { Turn } from '../domain/history-budget';
import type { SqlDatabase } from './sql/database';
import type { ConversationHistory } from './state-store';

/** Turns kept per conversation; the token budget picks the window the agent sees from these. */
export const MAX_STORED_TURNS = 200;

/** The key of a conversation: one per chat and workspace. */
export function conversationKeyOf(channel: string, chatId: string, workspace: string): string {
  return `history:${channel}:${chatId}:${workspace}`;
}

interface TurnRow {
  seq: number;
  message_id: string;
  role: Turn['role'];
  text: string;
}

const toTurn = (row: TurnRow): Turn => ({ seq: row.seq, messageId: row.message_id, role: row.role, text: row.text });

/** Conversation history in the `relay_conversation_turns` table (queryable; old turns pruned by retention). */
export class ConversationTable implements ConversationHistory {
  constructor(private readonly db: SqlDatabase) {}

  async turns(conversationKey: string): Promise<Turn[]> {
    const rows = await this.db.query<TurnRow>(
      'SELECT seq, message_id, role, text FROM relay_conversation_turns WHERE conversation_key = $1 ORDER BY seq',
      [conversationKey],
    );
    return rows.map(toTurn);
  }

  async turnsBetween(conversationKey: string, fromSeq: number, toSeq: number): Promise<Turn[]> {
    const rows = await this.db.query<TurnRow>(
      `SELECT seq, message_id, role, text FROM relay_conversation_turns
        WHERE conversation_key = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
      [conversationKey, fromSeq, toSeq],
    );
    return rows.map(toTurn);
  }

  async answerTo(conversationKey: string, messageId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ text: string }>(
      `SELECT text FROM relay_conversation_turns WHERE conversation_key = $1 AND message_id = $2 AND role = 'assistant'`,
      [conversationKey, messageId],
    );
    return row?.text;
  }

  async appendExchange(conversationKey: string, messageId: string, userText: string, assistantText: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO relay_conversations (conversation_key) VALUES ($1) ON CONFLICT DO NOTHING', [conversationKey]);
      // The row lock orders appends to one conversation across every process.
      const [{ next_seq: next }] = (await tx.query<{ next_seq: number }>(
        'SELECT next_seq FROM relay_conversations WHERE conversation_key = $1 FOR UPDATE',
        [conversationKey],
      )) as [{ next_seq: number }];
      const [seen] = await tx.query('SELECT 1 FROM relay_conversation_turns WHERE conversation_key = $1 AND message_id = $2', [
        conversationKey,
        messageId,
      ]);
      if (seen) return;
      await tx.query(
        `INSERT INTO relay_conversation_turns (conversation_key, seq, message_id, role, text)
              VALUES ($1, $2, $3, 'user', $4), ($1, $2 + 1, $3, 'assistant', $5)`,
        [conversationKey, next, messageId, userText, assistantText],
      );
      await tx.query('UPDATE relay_conversations SET next_seq = $2 WHERE conversation_key = $1', [conversationKey, next + 2]);
      await tx.query('DELETE FROM relay_conversation_turns WHERE conversation_key = $1 AND seq < $2', [
        conversationKey,
        next + 2 - MAX_STORED_TURNS,
      ]);
    });
  }

  async reset(conversationKey: string): Promise<void> {
    await this.db.query('DELETE FROM relay_conversation_turns WHERE conversation_key = $1', [conversationKey]);
  }

  /** Deletes turns older than `retentionSeconds` in every conversation; returns how many went. */
  async prune(retentionSeconds: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM relay_conversation_turns WHERE created_at < now() - $1 * interval '1 second' RETURNING 1`,
      [retentionSeconds],
    );
    return rows.length;
  }
}
