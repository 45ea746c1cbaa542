/**
 * How every channel hands a message to Temporal, and how a caller waits for its outcome. Channels validate
 * first; this module only starts and inspects workflows.
 */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { InboundMessage, MessageOutcome } from '../contracts/message';
import { chatSessionWorkflowId, inboundMessageSignal, messageWorkflowId } from '../contracts/temporal';
import type { chatSessionWorkflow } from '../workflows';

/**
 * Delivers a message to its chat's session workflow, starting the session if needed (signal-with-start).
 * Once this resolves, Temporal has durably accepted the message.
 */
export async function submitMessage(client: Client, taskQueue: string, message: InboundMessage): Promise<string> {
  await client.workflow.signalWithStart<typeof chatSessionWorkflow, [InboundMessage]>('chatSessionWorkflow', {
    workflowId: chatSessionWorkflowId(message.channel, message.chatId),
    taskQueue,
    args: [{ channel: message.channel, chatId: message.chatId }],
    signal: inboundMessageSignal,
    signalArgs: [message],
    staticSummary: `Session of ${message.channel} chat ${message.chatId}`,
  });
  return messageWorkflowId(message);
}

/** Waits for a message workflow's outcome (it may not exist yet while earlier messages of the chat run). */
export async function awaitOutcome(client: Client, workflowId: string, timeoutMs = 120_000): Promise<MessageOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await client.workflow.getHandle(workflowId).result()) as MessageOutcome;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
