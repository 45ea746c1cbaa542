import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryableFailure, terminalFailure } from '../../contracts/errors';

describe('failure taxonomy', () => {
  it('reads retry-after as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('uses the remote delay for the next retry, but never a zero delay (Temporal would stop retrying)', () => {
    expect(retryableFailure('RemoteThrottled', 'slow down', 3000).nextRetryDelay).toBe(3000);
    expect(retryableFailure('RemoteThrottled', 'slow down', 0).nextRetryDelay).toBeUndefined();
    expect(retryableFailure('RemoteThrottled', 'slow down').nextRetryDelay).toBeUndefined();
  });

  it('marks terminal failures non-retryable', () => {
    expect(terminalFailure('RemoteRejected', 'no')).toMatchObject({ type: 'RemoteRejected', nonRetryable: true, message: 'no' });
  });
});
