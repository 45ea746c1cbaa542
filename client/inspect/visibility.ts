/**
 * Visibility queries (the Web UI's filter language) and how their results read: status labels and the relay's
 * search attributes.
 */
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { searchAttributes } from '../../contracts/temporal';
import { sinceInstant } from './duration';

/** The workflow type of one message (see workflows/message.ts). */
export const MESSAGE_WORKFLOW = 'messageWorkflow';
/** The workflow type of a chat's session (see workflows/chat-session.ts). */
export const CHAT_SESSION_WORKFLOW = 'chatSessionWorkflow';

/** Closed without completing: what `relay failed` lists and `relay replay --all-failed` re-runs. */
export const FAILED_STATUSES = ['Failed', 'TimedOut', 'Terminated', 'Canceled'] as const;

export interface FailedMessagesFilter {
  /** Only workflows started within this many milliseconds before now. */
  sinceMs: number;
  chatId?: string;
  now?: number;
}

/** `WorkflowType = 'messageWorkflow' AND (ExecutionStatus = 'Failed' OR …) AND StartTime >= '…' [AND RelayChatId = "…"]`. */
export function failedMessagesQuery({ sinceMs, chatId, now }: FailedMessagesFilter): string {
  const statuses = FAILED_STATUSES.map((status) => `ExecutionStatus = '${status}'`).join(' OR ');
  const clauses = [`WorkflowType = '${MESSAGE_WORKFLOW}'`, `(${statuses})`, `StartTime >= '${sinceInstant(sinceMs, now)}'`];
  if (chatId !== undefined) {
    // Chat ids are numeric; refusing anything else keeps the query free of injected clauses.
    if (!/^-?\d{1,20}$/.test(chatId)) throw new Error(`chat id must be numeric; got "${chatId}"`);
    clauses.push(`${searchAttributes.chatId.name} = "${chatId}"`);
  }
  return clauses.join(' AND ');
}

/** Every execution of the given workflow types started within `sinceMs` (running or closed). */
export function recentWorkflowsQuery(workflowTypes: string[], sinceMs: number, now?: number, taskQueue?: string): string {
  const types = workflowTypes.map((type) => `WorkflowType = '${type}'`).join(' OR ');
  const onQueue = taskQueue ? ` AND TaskQueue = '${taskQueue}'` : '';
  return `(${types}) AND StartTime >= '${sinceInstant(sinceMs, now)}'${onQueue}`;
}

const statusLabels: Partial<Record<WorkflowExecutionStatusName, string>> = {
  CANCELLED: 'canceled',
  CONTINUED_AS_NEW: 'continued as new',
  TIMED_OUT: 'timed out',
};

/** `FAILED` → `failed`, `TIMED_OUT` → `timed out`, `CANCELLED` → `canceled`. */
export function statusLabel(name: WorkflowExecutionStatusName): string {
  return statusLabels[name] ?? name.toLowerCase();
}

/** Statuses a message workflow can be replayed from. */
export function isFailedStatus(name: WorkflowExecutionStatusName): boolean {
  return ['FAILED', 'TIMED_OUT', 'TERMINATED', 'CANCELLED'].includes(name);
}

/** The relay's own search attributes (`RelayChannel`, `RelayChatId`, …) that are set on an execution. */
export function relaySearchAttributes(typed: TypedSearchAttributes): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of Object.values(searchAttributes)) {
    const value = typed.get(key);
    if (value !== undefined) values[key.name] = String(value);
  }
  return values;
}
