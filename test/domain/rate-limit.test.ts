import { describe, it, expect } from 'vitest';
import { checkRateLimit, type RateLimitHit } from '../../domain/rate-limit';

const rule = { limit: 3, windowMs: 60_000 };
const now = 1_000_000;

describe('checkRateLimit', () => {
  it('allows the first message and records it', () => {
    expect(checkRateLimit(rule, [], 'a', now)).toEqual({ allowed: true, hits: [{ messageId: 'a', at: now }] });
  });

  it('allows messages up to the limit within the window', () => {
    let hits: RateLimitHit[] = [];
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const verdict = checkRateLimit(rule, hits, id, now + i * 1000);
      expect(verdict.allowed).toBe(true);
      expect(verdict.retryAfterMs).toBeUndefined();
      hits = verdict.hits;
    }
    expect(hits.map((hit) => hit.messageId)).toEqual(['a', 'b', 'c']);
  });

  it('denies the message over the limit, without recording it, and says when a slot frees up', () => {
    const hits = [
      { messageId: 'a', at: now - 50_000 },
      { messageId: 'b', at: now - 20_000 },
      { messageId: 'c', at: now - 10_000 },
    ];
    const verdict = checkRateLimit(rule, hits, 'd', now);
    expect(verdict.allowed).toBe(false);
    expect(verdict.hits).toEqual(hits);
    // The oldest hit (50 s ago) leaves the 60 s window in 10 s.
    expect(verdict.retryAfterMs).toBe(10_000);
  });

  it('bases retryAfterMs on the oldest hit even when hits are stored out of order', () => {
    const hits = [
      { messageId: 'b', at: now - 20_000 },
      { messageId: 'a', at: now - 59_000 },
      { messageId: 'c', at: now - 10_000 },
    ];
    expect(checkRateLimit(rule, hits, 'd', now).retryAfterMs).toBe(1_000);
  });

  it('drops expired hits so they no longer count against the limit', () => {
    const hits = [
      { messageId: 'old1', at: now - 120_000 },
      { messageId: 'old2', at: now - 60_000 }, // exactly one window old: expired
      { messageId: 'b', at: now - 30_000 },
      { messageId: 'c', at: now - 1_000 },
    ];
    const verdict = checkRateLimit(rule, hits, 'd', now);
    expect(verdict.allowed).toBe(true);
    expect(verdict.hits.map((hit) => hit.messageId)).toEqual(['b', 'c', 'd']);
  });

  it('drops expired hits from the persisted log even when denying', () => {
    const hits = [
      { messageId: 'old', at: now - 90_000 },
      { messageId: 'a', at: now - 3_000 },
      { messageId: 'b', at: now - 2_000 },
      { messageId: 'c', at: now - 1_000 },
    ];
    const verdict = checkRateLimit(rule, hits, 'd', now);
    expect(verdict.allowed).toBe(false);
    expect(verdict.hits.map((hit) => hit.messageId)).toEqual(['a', 'b', 'c']);
    expect(verdict.retryAfterMs).toBe(57_000);
  });

  it('allows again once the window has moved past the oldest hit', () => {
    const hits = [
      { messageId: 'a', at: now },
      { messageId: 'b', at: now + 1 },
      { messageId: 'c', at: now + 2 },
    ];
    expect(checkRateLimit(rule, hits, 'd', now + 59_999).allowed).toBe(false);
    expect(checkRateLimit(rule, hits, 'd', now + 60_000).allowed).toBe(true);
  });

  it('counts a retried message once (idempotent retry)', () => {
    const first = checkRateLimit(rule, [], 'a', now);
    const retry = checkRateLimit(rule, first.hits, 'a', now + 500);
    expect(retry.allowed).toBe(true);
    expect(retry.hits).toEqual([{ messageId: 'a', at: now }]);
  });

  it('still allows a retry of an already-counted message when the window is full', () => {
    const hits = [
      { messageId: 'a', at: now - 3_000 },
      { messageId: 'b', at: now - 2_000 },
      { messageId: 'c', at: now - 1_000 },
    ];
    const verdict = checkRateLimit(rule, hits, 'b', now);
    expect(verdict).toEqual({ allowed: true, hits });
  });

  it('does not mutate the previous hits', () => {
    const hits = [{ messageId: 'a', at: now - 1_000 }];
    const snapshot = structuredClone(hits);
    checkRateLimit(rule, hits, 'b', now);
    expect(hits).toEqual(snapshot);
  });
});
