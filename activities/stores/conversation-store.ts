import type { Turn } from '../../domain/history-budget';
import type { StateStore } from './state-store';

/** Turns kept on disk per conversation; the token budget picks the window the agent sees from these. */
export const MAX_STORED_TURNS = 200;

interface ConversationLog {
  nextSeq: number;
  turns: Turn[];
}

/** Durable, append-only conversation history per chat and workspace. */
export class ConversationStore {
  constructor(private readonly store: StateStore) {}

  static keyOf(channel: string, chatId: string, workspace: string): string {
    return `history:${channel}:${chatId}:${workspace}`;
  }

  async turns(conversationKey: string): Promise<Turn[]> {
    return (await this.store.read<ConversationLog>(conversationKey))?.turns ?? [];
  }

  async turnsBetween(conversationKey: string, fromSeq: number, toSeq: number): Promise<Turn[]> {
    return (await this.turns(conversationKey)).filter((turn) => turn.seq >= fromSeq && turn.seq <= toSeq);
  }

  /** The answer already recorded for a message, if its exchange was appended (a retried agent step reuses it). */
  async answerTo(conversationKey: string, messageId: string): Promise<string | undefined> {
    return (await this.turns(conversationKey)).find((turn) => turn.messageId === messageId && turn.role === 'assistant')?.text;
  }

  /** Appends a user turn and its answer; a retried append of the same message id changes nothing. */
  async appendExchange(conversationKey: string, messageId: string, userText: string, assistantText: string): Promise<void> {
    await this.store.update<ConversationLog>(conversationKey, (log = { nextSeq: 1, turns: [] }) => {
      if (log.turns.some((turn) => turn.messageId === messageId)) return log;
      const turns: Turn[] = [
        ...log.turns,
        { seq: log.nextSeq, messageId, role: 'user', text: userText },
        { seq: log.nextSeq + 1, messageId, role: 'assistant', text: assistantText },
      ];
      return { nextSeq: log.nextSeq + 2, turns: turns.slice(-MAX_STORED_TURNS) };
    });
  }

  /** Forgets the conversation (sequence numbers keep counting, so old references stay unambiguous). */
  async reset(conversationKey: string): Promise<void> {
    await this.store.update<ConversationLog>(conversationKey, (log = { nextSeq: 1, turns: [] }) => ({ nextSeq: log.nextSeq, turns: [] }));
  }
}
