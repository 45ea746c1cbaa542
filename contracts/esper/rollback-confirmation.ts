/**
 * The confirmation a chat `/rollback` asks for before anything is rolled back: one small workflow per request,
 * waiting for an admin to press Confirm or Cancel under the reply. The press arrives as a signal; the chat reads
 * the outcome through the query. Definitions and pure functions only: safe for workflows.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RollbackLevel } from './adaptation-command';

/** How long a confirmation waits for a press by default. */
export const ROLLBACK_CONFIRMATION_DEFAULT_MS = 60_000;

/** Presses a confirmation remembers (the first few matter; more are someone hammering the button). */
export const ROLLBACK_PRESSES_KEPT = 20;

/** Workflow id of a confirmation: `rollback-confirm-<key>`, the key derived from the chat message that asked. */
export function rollbackConfirmationWorkflowId(key: string): string {
  return `rollback-confirm-${key}`;
}

const callbackPattern = /^rbc:([a-z0-9]{1,40}):(yes|no)$/;

/** The button data of a press: `rbc:<key>:yes|no` (well under Telegram's 64 bytes). */
export function rollbackCallbackData(key: string, confirm: boolean): string {
  return `rbc:${key}:${confirm ? 'yes' : 'no'}`;
}

/** The confirmation key and the answer a button carries, or undefined for any other button. */
export function parseRollbackCallback(data: string | undefined): { key: string; confirm: boolean } | undefined {
  const match = callbackPattern.exec(data ?? '');
  return match ? { key: match[1]!, confirm: match[2] === 'yes' } : undefined;
}

export interface RollbackConfirmationInput {
  /** Names the confirmation (its workflow id, the buttons, and the rollback's trigger id). */
  key: string;
  runId: string;
  level: RollbackLevel;
  /** The admin who sent `/rollback`. */
  requestedBy: string;
  /** Who may confirm or cancel (RELAY_ADMINS when it was asked). */
  admins: string[];
  timeoutMs: number;
}

/** One button press, forwarded by the chat pipeline with the presser's user id. */
export interface RollbackPress {
  /** The press's own id (the callback query), so a retried signal counts once. */
  pressId: string;
  userId: string;
  confirm: boolean;
}

/** How the confirmation took a press. */
export type PressVerdict = 'accepted' | 'not-admin' | 'already-decided';

export type RollbackConfirmationState = 'waiting' | 'starting' | 'started' | 'cancelled' | 'expired' | 'failed';

export interface RollbackConfirmationStatus {
  key: string;
  runId: string;
  level: RollbackLevel;
  requestedBy: string;
  state: RollbackConfirmationState;
  /** When an unanswered confirmation expires; workflow time. */
  expiresAt: string;
  /** The admin whose press decided it. */
  decidedBy?: string;
  /** The emergency rollback it started. */
  rollbackWorkflowId?: string;
  /** Why starting the rollback failed. */
  failure?: string;
  presses: Record<string, PressVerdict>;
}

export const rollbackPressSignal = defineSignal<[RollbackPress]>('rollbackPress');
export const rollbackConfirmationQuery = defineQuery<RollbackConfirmationStatus>('rollbackConfirmation');

/** Whether a confirmation has settled (nothing more will change). */
export function isSettled(state: RollbackConfirmationState): boolean {
  return state !== 'waiting' && state !== 'starting';
}
