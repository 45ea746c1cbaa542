import Anthropic from '@anthropic-ai/sdk';
import { failureTypes, parseRetryAfter, retryableFailure, terminalFailure } from '../contracts/errors';

/**
 * Translates an Anthropic SDK error into our failure taxonomy. Temporal owns retries (the SDK's are off), so
 * the `retry-after` header becomes the next retry delay.
 */
export function translateClaudeError(error: unknown): Error {
  if (error instanceof Anthropic.APIConnectionError) {
    return retryableFailure(failureTypes.networkFailed, `Claude unreachable: ${error.message}`);
  }
  if (error instanceof Anthropic.APIError) {
    const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'));
    const status = error.status;
    // An overload that arrives after streaming began has no status, only the error type.
    const overloaded = status === 529 || (error.error as { error?: { type?: string } } | undefined)?.error?.type === 'overloaded_error';
    if (status === 429 || overloaded) {
      return retryableFailure(
        failureTypes.remoteThrottled,
        `Claude ${overloaded ? 'overloaded' : 'rate limited'} (${status ?? 'stream'})`,
        retryAfterMs,
      );
    }
    if (status === undefined || status >= 500 || status === 408 || status === 409) {
      return retryableFailure(failureTypes.remoteFailed, `Claude failed with ${status ?? 'an error'}: ${error.message}`, retryAfterMs);
    }
    return terminalFailure(failureTypes.remoteRejected, `Claude rejected the request (${status}): ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
