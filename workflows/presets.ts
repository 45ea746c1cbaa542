/**
 * Named timeout and retry presets, one per dependency. Backoff is exponential; a failure that carries a
 * `nextRetryDelay` (Telegram's `retry_after`, Claude's `retry-after`) overrides the backoff for that attempt.
 */
import { workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { nonRetryableFailureTypes } from '../contracts/errors';
import { outboundTaskQueue } from '../contracts/temporal';

/** The failure types no preset retries (a mutable copy, as `RetryPolicy` wants). */
export const nonRetryableErrorTypes = [...nonRetryableFailureTypes];

/** Local state (files or Redis): fast, retried quickly and for long, because an operator can fix a full disk. */
export const storePreset: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
};

/**
 * Claude: slow answers, overloads (529) that pass within minutes. Gives up after ~15 minutes of trying. The call
 * heartbeats, so a worker that dies mid-answer is noticed in seconds.
 */
export const llmPreset: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  scheduleToCloseTimeout: '15 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 12, nonRetryableErrorTypes },
};

/**
 * Telegram Bot API: quick calls, paced per chat; flood waits come with their own `retry_after`. Runs on the
 * outbound task queue (see `onOutboundQueue`).
 */
export const telegramPreset: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes },
};

/** Side notices (delayed, failed, admin reports): worth a few tries, never worth holding a message up for. */
export const noticePreset: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
};

/** The options of an activity that sends to Telegram: on the rate-limited outbound queue of this workflow's queue. */
export function onOutboundQueue<T extends ActivityOptions>(options: T): T {
  return { ...options, taskQueue: outboundTaskQueue(workflowInfo().taskQueue) };
}
