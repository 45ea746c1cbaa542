/**
 * Failures as an operator wants to read them: the root cause's message and its taxonomy type
 * (`RemoteRejected`, …), and which activity it came from. Decoded with the client's data converter, so a payload
 * codec (encrypted failure attributes) is honoured.
 */
import type { Client } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import type { HistoryEvent, ProtoFailure } from './history';

/** What went wrong, in one line's worth of fields. */
export interface FailureSummary {
  message: string;
  /** The failure type of our taxonomy (applicationFailureInfo.type), or the Temporal failure kind. */
  type?: string;
  /** The activity the failure came from, when a step failed the workflow. */
  activity?: string;
}

/** Reads a history failure: its innermost cause's message and type, and the activity it came from. */
export async function summarizeFailure(client: Client, failure: ProtoFailure): Promise<FailureSummary> {
  const error = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, failure);
  let activity: string | undefined;
  let innermost: Error | undefined = error;
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof ActivityFailure) activity ??= current.activityType;
    innermost = current;
  }
  return { message: innermost?.message || failure.message || '(no message)', type: failureType(innermost), activity };
}

function failureType(error: Error | undefined): string | undefined {
  if (error instanceof ApplicationFailure) return error.type ?? 'Error';
  if (error instanceof TimeoutFailure) return `Timeout:${error.timeoutType ?? 'unknown'}`;
  if (error instanceof TemporalFailure) return error.name;
  return undefined;
}

/** Why a closed run did not complete: the failure of its close event, or the terminate reason. */
export async function closeCause(client: Client, event: HistoryEvent | undefined): Promise<FailureSummary | undefined> {
  if (!event) return undefined;
  const failed = event.workflowExecutionFailedEventAttributes;
  if (failed?.failure) return summarizeFailure(client, failed.failure);
  const terminated = event.workflowExecutionTerminatedEventAttributes;
  if (terminated) {
    const who = terminated.identity ? ` (by ${terminated.identity})` : '';
    return { message: `terminated${who}: ${terminated.reason || 'no reason given'}`, type: 'Terminated' };
  }
  if (event.workflowExecutionTimedOutEventAttributes) return { message: 'the workflow run timed out', type: 'Timeout' };
  if (event.workflowExecutionCanceledEventAttributes) return { message: 'the workflow was canceled', type: 'Canceled' };
  return undefined;
}

/** One line: `orchestrateAgent: Claude rejected the request (401) [RemoteRejected]`. */
export function formatFailure(failure: FailureSummary | undefined): string {
  if (!failure) return '';
  return `${failure.activity ? `${failure.activity}: ` : ''}${failure.message}${failure.type ? ` [${failure.type}]` : ''}`;
}

/** The close event of one run, read backwards so only one event crosses the wire. */
export async function fetchCloseEvent(client: Client, workflowId: string, runId: string): Promise<HistoryEvent | undefined> {
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  return history?.events?.[0] ?? undefined;
}
