/**
 * The agent step with honest notices: if Claude fails twice, the user is told their answer is delayed and the
 * step keeps trying (breaker, backoff, `retry-after`); if it fails for good, the user is told so, the admins get
 * a report, and the workflow fails so `relay replay` can answer it after the fix.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { log, proxyActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../activities';
import type { OrchestrateInput } from '../activities/orchestrate-agent';
import { failureTypes } from '../contracts/errors';
import type { AgentReply } from '../contracts/message';
import { messageWorkflowId } from '../contracts/temporal';
import { llmPreset, noticePreset, onOutboundQueue } from './presets';

const { orchestrateAgent } = proxyActivities<RelayActivities>(llmPreset);
const notices = proxyActivities<RelayActivities>(noticePreset);
const notifyUser = (input: Parameters<RelayActivities['notifyUser']>[0]) =>
  notices.notifyUser.executeWithOptions(onOutboundQueue({ ...noticePreset, summary: `Tell the user: ${input.kind}` }), [input]);
const notifyAdmins = (input: Parameters<RelayActivities['notifyAdmins']>[0]) =>
  notices.notifyAdmins.executeWithOptions(onOutboundQueue({ ...noticePreset, summary: 'Report to the admins' }), [input]);

/** Attempts before the user hears that the answer is delayed (a single 529 is common and brief). */
const ATTEMPTS_BEFORE_DELAY_NOTICE = 2;

export const DELAYED_NOTICE = 'The assistant is overloaded right now. Your message is queued and will be answered as soon as it recovers.';
export const FAILED_NOTICE =
  'Sorry, I could not get an answer from the assistant. The operator has been told, and your message will be answered once this is fixed.';

const transientTypes: string[] = [
  failureTypes.remoteThrottled,
  failureTypes.remoteFailed,
  failureTypes.networkFailed,
  failureTypes.circuitOpen,
];

export async function askAgent(input: OrchestrateInput, summary: string): Promise<AgentReply> {
  try {
    const firstTry = { ...llmPreset, retry: { ...llmPreset.retry, maximumAttempts: ATTEMPTS_BEFORE_DELAY_NOTICE }, summary };
    return await orchestrateAgent.executeWithOptions(firstTry, [input]);
  } catch (error) {
    if (!isTransient(error)) return reportAndRethrow(input, error);
    await quietly(notifyUser({ message: input.message, kind: 'delayed', text: DELAYED_NOTICE }));
    try {
      return await orchestrateAgent.executeWithOptions({ ...llmPreset, summary: `${summary} (after a delay notice)` }, [input]);
    } catch (lastError) {
      return reportAndRethrow(input, lastError);
    }
  }
}

async function reportAndRethrow(input: OrchestrateInput, error: unknown): Promise<never> {
  const type = failureTypeOf(error);
  const cause = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : String(error);
  await quietly(notifyUser({ message: input.message, kind: 'failed', text: FAILED_NOTICE }));
  await quietly(
    notifyAdmins({
      dedupeKey: `agent-failure:${type}`,
      text: `the agent step fails (${type}): ${cause}. First affected message: ${messageWorkflowId(input.message)}. After the fix: relay replay --all-failed`,
    }),
  );
  throw error;
}

function failureTypeOf(error: unknown): string {
  if (!(error instanceof ActivityFailure)) return 'Unknown';
  if (error.cause instanceof ApplicationFailure) return error.cause.type ?? 'Error';
  return error.cause instanceof TimeoutFailure ? 'Timeout' : 'Unknown';
}

function isTransient(error: unknown): boolean {
  const type = failureTypeOf(error);
  return type === 'Timeout' || transientTypes.includes(type);
}

/** A notice that cannot be sent must not hide what happened to the message itself. */
async function quietly(notice: Promise<unknown>): Promise<void> {
  try {
    await notice;
  } catch (error) {
    log.warn('a notice could not be sent', { error: (error as Error).message });
  }
}
