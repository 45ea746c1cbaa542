/**
 * `chatSessionWorkflow`: one per chat, started by signal-with-start. It queues the chat's messages in arrival
 * order and runs each as a child `messageWorkflow`, one at a time, so a chat's replies never overtake each
 * other while different chats run in parallel. A message already seen (a redelivery) is dropped; the child's
 * deterministic id and REJECT_DUPLICATE reuse policy make that hold even across sessions.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Channel, InboundMessage } from '../contracts/message';
import { chatSessionStatusQuery, inboundMessageSignal, messageWorkflowId, searchAttributes } from '../contracts/temporal';
import { joinedLengthContinuation, joinPieces, pasteContinuation, type ContinuationRule } from '../domain/split-input';
import { messageWorkflow } from './message';

export interface ChatSessionInput {
  channel: Channel;
  chatId: string;
  /** Carried over continue-as-new: messages received but not yet processed. */
  pending?: InboundMessage[];
  /** Carried over continue-as-new: the most recent message ids, for cheap dedupe. */
  recentIds?: string[];
  processed?: number;
}

/** A session with nothing to do for this long ends; the next message starts a new one. */
const IDLE_TIMEOUT = '30 minutes';
const RECENT_IDS_KEPT = 500;
/** How long to wait for the next piece of a long message Telegram cut up (pieces arrive back to back). */
const CONTINUATION_WINDOW = '2 seconds';
/**
 * Keeps each run's history small; Temporal may suggest continuing earlier. Small matters beyond storage: a run
 * that leaves a worker's cache (a restart, or the signals that race the continue-as-new itself, which fail that
 * workflow task) is rebuilt by replaying its whole history, about 11 events a message. At 200 messages (~2 200
 * events) that replay took about a second of worker CPU per session, so 20 sessions continuing at once overran
 * the 10 s workflow task timeout and replayed again, delaying their messages by up to two minutes.
 */
const MESSAGES_PER_RUN = 50;
/** What runs started before the change used; their histories must replay as they were written. */
const MESSAGES_PER_RUN_BEFORE_SHORTER_RUNS = 200;

export async function chatSessionWorkflow(input: ChatSessionInput): Promise<void> {
  const pending = [...(input.pending ?? [])];
  const recentIds = [...(input.recentIds ?? [])];
  let processed = input.processed ?? 0;
  let processedThisRun = 0;
  let current: string | undefined;
  const messagesPerRun = patched('chat-session-shorter-runs') ? MESSAGES_PER_RUN : MESSAGES_PER_RUN_BEFORE_SHORTER_RUNS;
  const continuation = patched('chat-session-join-only-cut-pieces') ? pasteContinuation : joinedLengthContinuation;

  const isKnown = (messageId: string) => recentIds.includes(messageId) || pending.some((queued) => queued.messageId === messageId);
  setHandler(inboundMessageSignal, (message) => {
    if (isKnown(message.messageId)) log.info('dropped a duplicate delivery', { messageId: message.messageId });
    else pending.push(message);
  });
  setHandler(chatSessionStatusQuery, () => ({ queued: pending.length, processed, current }));

  for (;;) {
    if (!(await condition(() => pending.length > 0, IDLE_TIMEOUT))) return;
    if (processedThisRun >= messagesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof chatSessionWorkflow>({ ...input, pending, recentIds: recentIds.slice(-RECENT_IDS_KEPT), processed });
    }
    const message = await takeWithContinuations(pending, continuation, (messageId) => recentIds.push(messageId));
    current = messageWorkflowId(message);
    await runMessage(message, current);
    recentIds.push(message.messageId);
    if (recentIds.length > RECENT_IDS_KEPT) recentIds.shift();
    processed++;
    processedThisRun++;
    current = undefined;
  }
}

/**
 * Takes the next message; if Telegram cut it from a long paste, waits briefly for its continuations and joins
 * them, so the user gets one answer to what they sent as one message.
 */
async function takeWithContinuations(
  pending: InboundMessage[],
  rule: ContinuationRule,
  remember: (messageId: string) => void,
): Promise<InboundMessage> {
  let message = pending.shift()!;
  let lastPiece = message;
  while (rule.awaitsMore(message, lastPiece) && (await condition(() => pending.length > 0, CONTINUATION_WINDOW))) {
    if (!rule.continues(lastPiece, pending[0]!)) break;
    lastPiece = pending.shift()!;
    remember(lastPiece.messageId);
    message = joinPieces(message, lastPiece);
  }
  return message;
}

async function runMessage(message: InboundMessage, workflowId: string): Promise<void> {
  try {
    await executeChild(messageWorkflow, {
      workflowId,
      args: [message],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // A message in flight finishes (and is answered) even if its session is terminated.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: summarize(message),
      typedSearchAttributes: [
        { key: searchAttributes.channel, value: message.channel },
        { key: searchAttributes.chatId, value: message.chatId },
        { key: searchAttributes.userId, value: message.userId },
      ],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      log.info('message already processed by an earlier session', { workflowId });
      return;
    }
    // The failed message stays visible as a failed workflow (`relay failed`); the chat goes on.
    log.warn('message workflow failed', { workflowId, error: (error as Error).message });
  }
}

/** The Web UI's one-line summary: who, where, what kind, and the first words. */
function summarize(message: InboundMessage): string {
  const words = (message.text ?? '').replace(/\s+/g, ' ').trim();
  const preview = words.length > 60 ? `${words.slice(0, 57)}…` : words;
  return `${message.kind} from user ${message.userId} in ${message.channel} chat ${message.chatId}${preview ? `: "${preview}"` : ''}`;
}
