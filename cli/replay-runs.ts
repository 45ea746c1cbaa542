/**
 * The two ways `relay replay` re-runs a failed message workflow, and waiting for the new run. Both keep the
 * workflow id `msg-<channel>-<chatId>-<messageId>`, so the message is still the same message.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { decodeArrayFromPayloads, decodeUserMetadata } from '@temporalio/common/lib/internal-non-workflow';
import { parseInboundMessage } from '../contracts/message';
import { searchAttributes } from '../contracts/temporal';
import { startAttributes, type HistoryEvent } from '../client/inspect/history';
import { MESSAGE_WORKFLOW, statusLabel } from '../client/inspect/visibility';

export const REPLAY_REASON = 'relay replay';

/**
 * Resets a run to the workflow task that completed at `eventId`: a new run keeps every event before it (the
 * completed steps and their results) and runs the workflow on from there. Returns the new run id.
 */
export async function resetRun(
  client: Client,
  workflowId: string,
  runId: string,
  events: HistoryEvent[],
  eventId: number,
): Promise<string> {
  const resetPoint = events.find((event) => String(event.eventId) === String(eventId) && event.workflowTaskCompletedEventAttributes);
  if (!resetPoint) throw new Error(`event ${eventId} of ${workflowId} is not a completed workflow task: cannot reset there`);
  const response = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId, runId },
    reason: REPLAY_REASON,
    // The event's own id (an int64 as the history decoded it).
    workflowTaskFinishEventId: resetPoint.eventId,
    requestId: randomUUID(),
  });
  return response.runId;
}

/**
 * Starts a new run with the failed run's input, task queue, summary and search attributes. The reuse policy
 * allows the same id only because the previous run failed: a completed message can never start again.
 */
export async function restartRun(client: Client, workflowId: string, events: HistoryEvent[]): Promise<string> {
  const started = startAttributes(events);
  const converter = client.options.loadedDataConverter;
  const args = await decodeArrayFromPayloads(converter, started.input?.payloads);
  let message;
  try {
    message = parseInboundMessage(args[0]);
  } catch (error) {
    throw new Error(`cannot restart ${workflowId}: its recorded input is not a valid message (${(error as Error).message})`);
  }
  const { staticSummary } = await decodeUserMetadata(converter, events[0]?.userMetadata);
  const handle = await client.workflow.start(MESSAGE_WORKFLOW, {
    workflowId,
    taskQueue: started.taskQueue?.name ?? '',
    // The input exactly as recorded (not the parsed copy, which adds defaults).
    args,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    staticSummary,
    typedSearchAttributes: [
      { key: searchAttributes.channel, value: message.channel },
      { key: searchAttributes.chatId, value: message.chatId },
      { key: searchAttributes.userId, value: message.userId },
    ],
  });
  return handle.firstExecutionRunId;
}

/** Waits up to `timeoutMs` for a run to close; returns its status (`completed`, `failed`, …) or `still running`. */
export async function waitForRun(client: Client, workflowId: string, runId: string, timeoutMs: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowId, runId, { followRuns: false });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const settled = await Promise.race([handle.result().then(settledTrue, settledTrue), timedOut]);
    return settled ? statusLabel((await handle.describe()).status.name) : 'still running';
  } finally {
    clearTimeout(timer);
  }
}

const settledTrue = () => true as const;
