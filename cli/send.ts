import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { RelayConfig } from '../contracts/config';
import { parseInboundMessage, type ReplyButtons } from '../contracts/message';
import { connectClient } from '../workers/connect';
import { awaitOutcome, submitMessage } from '../client/ingress';

export interface SendOptions {
  text: string;
  /** Presses a button instead of sending text: the button's data, as a reply with buttons lists it. */
  callback?: string;
  chat: string;
  user: string;
  messageId?: string;
  json?: boolean;
  timeout: number;
}

/** `relay send`: submits a CLI message, waits for the pipeline's outcome, and prints the reply. */
export async function runSend(config: RelayConfig, options: SendOptions): Promise<void> {
  const message = parseInboundMessage({
    channel: 'cli',
    chatId: options.chat,
    userId: options.user,
    messageId: options.messageId ?? randomUUID(),
    ...(options.callback ? { kind: 'callback', callbackData: options.callback } : { kind: 'text', text: options.text }),
    receivedAt: new Date().toISOString(),
  });
  const client = await connectClient(config);
  try {
    const workflowId = await submitMessage(client, config.temporal.taskQueue, message);
    let outcome;
    try {
      outcome = await awaitOutcome(client, workflowId, options.timeout * 1000);
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      const cause = (error.cause?.cause as Error | undefined)?.message ?? error.cause?.message ?? error.message;
      throw new Error(`message ${workflowId} failed: ${cause}\n(see: relay trace ${workflowId}; after a fix: relay replay ${workflowId})`);
    }
    if (options.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    else process.stdout.write(`${outcome.reply}\n${describeButtons(outcome.buttons, options)}`);
    if (outcome.outcome !== 'answered') process.exitCode = 3;
  } finally {
    await client.connection.close();
  }
}

/** The CLI has no buttons: it lists them, each with the command that presses it. */
export function describeButtons(buttons: ReplyButtons | undefined, options: Pick<SendOptions, 'chat' | 'user'>): string {
  if (!buttons || buttons.length === 0) return '';
  const lines = buttons
    .flat()
    .map((button) => `  [${button.text}]  relay send --chat ${options.chat} --user ${options.user} --callback ${button.callbackData}`);
  return `Buttons (press one by running its command):\n${lines.join('\n')}\n`;
}
