/**
 * `/rollback LEVEL [RUN_ID]` and the press of its buttons. The command never rolls back: it starts a
 * confirmation workflow and answers with Confirm / Cancel buttons. A press (a Telegram callback query through
 * the normal pipeline) is signalled to that workflow, which decides; the presser is told what happened.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pickTrainingRun } from '../../client/esper/running-runs';
import { esperIdSchema } from '../../contracts/esper/common';
import {
  ROLLBACK_CONFIRMATION_DEFAULT_MS,
  isSettled,
  parseRollbackCallback,
  rollbackCallbackData,
  rollbackConfirmationQuery,
  rollbackConfirmationWorkflowId,
  rollbackPressSignal,
  type RollbackConfirmationInput,
  type RollbackConfirmationStatus,
  type PressVerdict,
} from '../../contracts/esper/rollback-confirmation';
import type { RollbackLevel } from '../../contracts/esper/adaptation-command';
import type { InboundMessage } from '../../contracts/message';
import type { CommandAnswer } from '../commands';
import type { ActivityDeps } from '../deps';
import { heartbeatWhile } from '../heartbeat';

/** The levels a chat may ask for (TUNE is for the bus and the admin client). */
export const CHAT_ROLLBACK_LEVELS: readonly RollbackLevel[] = ['FREEZE', 'FAST', 'FULL'];
export const ROLLBACK_USAGE = 'Usage: /rollback FREEZE|FAST|FULL [RUN_ID], for example /rollback fast.';
export const NOT_ADMIN_PRESS = 'Sorry, only admins can confirm or cancel a rollback.';
export const EXPIRED_BUTTON = 'This button has expired.';

/** How long a press waits for the confirmation to settle before answering with what it knows. */
const PRESS_WAIT_MS = 30_000;

/** Parses `LEVEL [RUN_ID]`; an error text when it cannot. */
export function parseRollbackArgs(args: string): { level: RollbackLevel; runId?: string } | { problem: string } {
  const [levelWord, runId, ...extra] = args.split(/\s+/).filter(Boolean);
  if (!levelWord || extra.length > 0) return { problem: ROLLBACK_USAGE };
  const level = levelWord.toUpperCase() as RollbackLevel;
  if (!CHAT_ROLLBACK_LEVELS.includes(level)) return { problem: `"${levelWord}" is not a rollback level. ${ROLLBACK_USAGE}` };
  if (runId !== undefined && !esperIdSchema.safeParse(runId).success) return { problem: `"${runId}" is not a run id. ${ROLLBACK_USAGE}` };
  return { level, ...(runId ? { runId } : {}) };
}

/** The confirmation key of a message: a digest of its id, short enough for button data. */
export function confirmationKeyOf(message: InboundMessage): string {
  return createHash('sha256').update(`${message.channel}-${message.chatId}-${message.messageId}`).digest('hex').slice(0, 20);
}

/** Runs `/rollback` and presses of its buttons; `timeoutMs` is how long a confirmation waits. */
export function createRollbackCommand({ config, telegram }: ActivityDeps, timeoutMs = ROLLBACK_CONFIRMATION_DEFAULT_MS) {
  const admins = config.security.admins;
  const taskQueue = config.temporal.taskQueue;

  async function askToConfirm(client: Client, message: InboundMessage, args: string): Promise<CommandAnswer> {
    const parsed = parseRollbackArgs(args);
    if ('problem' in parsed) return parsed.problem;
    const picked = await pickTrainingRun(client, taskQueue, parsed.runId);
    if ('problem' in picked) return `${picked.problem} ${ROLLBACK_USAGE}`;
    const key = confirmationKeyOf(message);
    const input: RollbackConfirmationInput = {
      key,
      runId: picked.runId,
      level: parsed.level,
      requestedBy: message.userId,
      admins: [...admins],
      timeoutMs,
    };
    try {
      await heartbeatWhile((signal) =>
        client.withAbortSignal(signal, () =>
          client.workflow.start('rollbackConfirmationWorkflow', {
            workflowId: rollbackConfirmationWorkflowId(key),
            taskQueue,
            args: [input],
            staticSummary: `Confirm a ${parsed.level} rollback of run ${picked.runId} (asked by user ${message.userId})`,
          }),
        ),
      );
    } catch (error) {
      // Started by an earlier attempt of this activity: the same message, the same confirmation.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return {
      text: `Roll back run ${picked.runId} at ${parsed.level}? An admin must confirm within ${Math.round(timeoutMs / 1000)} s; nothing happens until then.`,
      buttons: [
        [{ text: `Confirm ${parsed.level} rollback of ${picked.runId}`, callbackData: rollbackCallbackData(key, true) }],
        [{ text: 'Cancel', callbackData: rollbackCallbackData(key, false) }],
      ],
    };
  }

  async function press(client: Client, message: InboundMessage): Promise<string> {
    const pressed = parseRollbackCallback(message.callbackData);
    if (!pressed) return EXPIRED_BUTTON;
    const handle = client.workflow.getHandle(rollbackConfirmationWorkflowId(pressed.key));
    const pressId = message.messageId;
    try {
      await handle.signal(rollbackPressSignal, { pressId, userId: message.userId, confirm: pressed.confirm });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // Closed (settled or expired) or never there: answer from its final status, if Temporal still has it.
      if (!admins.includes(message.userId)) return NOT_ADMIN_PRESS;
      const final = await handle.query(rollbackConfirmationQuery).catch(() => undefined);
      await takeButtonsAway(message);
      return final ? pressAnswer(final, 'already-decided') : EXPIRED_BUTTON;
    }
    const status = await heartbeatWhile(() => waitForVerdict(client, pressed.key, pressId));
    if (status.state !== 'waiting') await takeButtonsAway(message);
    return pressAnswer(status, status.presses[pressId] ?? 'already-decided');
  }

  /**
   * Once the confirmation is settled its buttons can only say "already decided", so they come off the message.
   * Best effort: the press is answered either way, and a message Telegram no longer lets us edit keeps them.
   */
  async function takeButtonsAway(message: InboundMessage): Promise<void> {
    if (message.channel !== 'telegram' || !telegram || !message.callbackMessageId) return;
    await telegram
      .editMessageReplyMarkup(message.chatId, Number(message.callbackMessageId), undefined, { inline_keyboard: [] })
      .catch(() => undefined);
  }

  return { askToConfirm, press };
}

/** Polls the confirmation until it took the press and, if the press decided it, until it settled. */
async function waitForVerdict(client: Client, key: string, pressId: string): Promise<RollbackConfirmationStatus> {
  const handle = client.workflow.getHandle(rollbackConfirmationWorkflowId(key));
  const until = Date.now() + PRESS_WAIT_MS;
  for (;;) {
    const status = await handle.query(rollbackConfirmationQuery);
    const verdict = status.presses[pressId];
    if ((verdict && (verdict !== 'accepted' || isSettled(status.state))) || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the presser is told, from the confirmation's status and the verdict on their press. */
export function pressAnswer(status: RollbackConfirmationStatus, verdict: PressVerdict): string {
  if (verdict === 'not-admin') return NOT_ADMIN_PRESS;
  const what = `${status.level} rollback of run ${status.runId}`;
  const by = status.decidedBy ? ` by user ${status.decidedBy}` : '';
  const already = verdict === 'already-decided' ? 'Already decided: ' : '';
  switch (status.state) {
    case 'started':
      return `${already}${what} started${by} as ${status.rollbackWorkflowId}. The admins get its report; follow it with: relay trace ${status.rollbackWorkflowId}`;
    case 'cancelled':
      return `${already}${what} cancelled${by}; nothing was rolled back.`;
    case 'expired':
      return `This confirmation of a ${what} expired unanswered at ${status.expiresAt}; nothing was rolled back. Send /rollback again if it is still needed.`;
    case 'failed':
      return `${already}${what} could not be started: ${status.failure ?? 'unknown reason'}.`;
    default:
      return `${what}: confirmed${by}, starting… (relay trace ${rollbackConfirmationWorkflowId(status.key)})`;
  }
}
