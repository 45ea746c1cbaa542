/**
 * Finds the message workflows that did not complete, with why. A message that was replayed has a newer run; only
 * a workflow whose latest run failed is still failed.
 */
import type { Client } from '@temporalio/client';
import { closeCause, fetchCloseEvent, type FailureSummary } from './failure';
import type { Progress } from './progress';
import { failedMessagesQuery, relaySearchAttributes, statusLabel, type FailedMessagesFilter } from './visibility';

/** One failed message, as `relay failed` lists it. */
export interface FailedMessage {
  workflowId: string;
  runId: string;
  status: string;
  startTime: string;
  closeTime?: string;
  channel?: string;
  chatId?: string;
  userId?: string;
  cause?: FailureSummary;
}

export interface FindFailedOptions extends FailedMessagesFilter {
  /** At most this many results. */
  limit: number;
  progress?: Progress;
}

/** Lists failed message workflows (latest runs only), newest first, each with the cause from its close event. */
export async function findFailedMessages(client: Client, options: FindFailedOptions): Promise<FailedMessage[]> {
  const query = failedMessagesQuery(options);
  const { count } = await client.workflow.count(query);
  options.progress?.setTotal(Math.min(count, options.limit));
  const found: FailedMessage[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: 100 })) {
    if (found.length >= options.limit) break;
    options.progress?.tick(execution.workflowId);
    const latest = await client.workflow.getHandle(execution.workflowId).describe();
    if (latest.runId !== execution.runId) continue; // replayed since: the newer run is what counts
    const attributes = relaySearchAttributes(execution.typedSearchAttributes);
    found.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      status: statusLabel(execution.status.name),
      startTime: execution.startTime.toISOString(),
      closeTime: execution.closeTime?.toISOString(),
      channel: attributes.RelayChannel,
      chatId: attributes.RelayChatId,
      userId: attributes.RelayUserId,
      cause: await closeCause(client, await fetchCloseEvent(client, execution.workflowId, execution.runId)),
    });
  }
  return found;
}
