/**
 * The failure taxonomy. Activities translate vendor errors (Telegram, Anthropic, file system) into
 * `ApplicationFailure`s carrying one of these `type`s; workflows branch on the type string, never on classes.
 */
import { ApplicationFailure } from '@temporalio/common';

export const failureTypes = {
  /** A remote API refused the request (4xx other than rate limits): retrying will not help. */
  remoteRejected: 'RemoteRejected',
  /** A remote API asked us to slow down (429) or is overloaded (529): retry after its delay. */
  remoteThrottled: 'RemoteThrottled',
  /** A remote API failed (5xx) : retry with backoff. */
  remoteFailed: 'RemoteFailed',
  /** The network failed before an answer (refused, reset, DNS, timeout): retry with backoff. */
  networkFailed: 'NetworkFailed',
  /** Input that can never succeed (bad payload, unknown workspace in config). */
  invalidInput: 'InvalidInput',
  /** A circuit breaker is open: the dependency failed repeatedly; retry after the breaker's delay. */
  circuitOpen: 'CircuitOpen',
  /** Our own state store failed (disk full, permissions). Retryable: an operator can fix it. */
  storeFailed: 'StoreFailed',
  /** A bounded resource of ours is full (compile slots): retry once others have released theirs. */
  capacityExhausted: 'CapacityExhausted',
} as const;
export type FailureType = (typeof failureTypes)[keyof typeof failureTypes];

export const nonRetryableFailureTypes: FailureType[] = [failureTypes.remoteRejected, failureTypes.invalidInput];

/** A failure that will not be retried. */
export function terminalFailure(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

/** A failure to retry, after `retryAfterMs` when the remote said how long to wait. */
export function retryableFailure(type: FailureType, message: string, retryAfterMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    // A zero delay (`retry-after: 0`) would make Temporal treat the retry as timed out and stop retrying, so
    // only a positive delay overrides the backoff policy.
    nextRetryDelay: retryAfterMs !== undefined && retryAfterMs >= 1 ? Math.round(retryAfterMs) : undefined,
  });
}

/** Parses an HTTP `retry-after` header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
