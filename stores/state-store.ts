/**
 * What the activities remember between steps, beside Temporal's histories: small per-key state, conversation
 * history and leases. One SQL store serves all three (see `sql/`), shared by every worker process when it is
 * PostgreSQL, so limits, caps and leases hold across the whole relay.
 */
import type { Turn } from '../domain/history-budget';

/** Small per-key state: rate-limit windows, chat preferences, usage, pacing, receipts, notices, catalogues. */
export interface StateStore {
  /** The stored value, or undefined when the key was never written. */
  read<T>(key: string): Promise<T | undefined>;
  /**
   * Atomically replaces the value with `change(current)`: concurrent updates of one key, from any process, never
   * interleave. `change` may run again if the store retries, so it must not have side effects.
   */
  update<T>(key: string, change: (current: T | undefined) => T): Promise<T>;
}

/** Conversation history per chat and workspace: an append-only log of turns with increasing sequence numbers. */
export interface ConversationHistory {
  /** The kept turns, oldest first. */
  turns(conversationKey: string): Promise<Turn[]>;
  turnsBetween(conversationKey: string, fromSeq: number, toSeq: number): Promise<Turn[]>;
  /** The answer already recorded for a message, if its exchange was appended (a retried agent step reuses it). */
  answerTo(conversationKey: string, messageId: string): Promise<string | undefined>;
  /** Appends a user turn and its answer; a retried append of the same message id changes nothing. */
  appendExchange(conversationKey: string, messageId: string, userText: string, assistantText: string): Promise<void>;
  /** Forgets the conversation (sequence numbers keep counting, so old references stay unambiguous). */
  reset(conversationKey: string): Promise<void>;
}

/** Leases: something one process at a time may do, held for a while and renewed by its holder. */
export interface Leases {
  /** Takes or renews `name` for `holder` for `ttlMs`; false when another holder's lease has not expired. */
  tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up now (if `holder` still holds it), so a standby takes over without waiting. */
  release(name: string, holder: string): Promise<void>;
}

/** The whole store, as the composition root builds it and hands it to the activities and channels. */
export interface RelayStore extends StateStore {
  readonly conversations: ConversationHistory;
  readonly leases: Leases;
  /** Where the data lives, for logs (never a password). */
  readonly description: string;
  close(): Promise<void>;
}
