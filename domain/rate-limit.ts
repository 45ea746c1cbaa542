/**
 * Sliding-window rate limiting as a pure function over a small, persisted log of recent hits. Each hit carries
 * the message id, so a retried security gate counts a message once.
 */

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitHit {
  messageId: string;
  at: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  /** The hits to persist (expired ones dropped, this one added when allowed). */
  hits: RateLimitHit[];
  /** When denied: how long until one slot frees up. */
  retryAfterMs?: number;
}

/** Decides whether `messageId` at `now` fits in the window; idempotent for a message already counted. */
export function checkRateLimit(rule: RateLimitRule, previous: RateLimitHit[], messageId: string, now: number): RateLimitVerdict {
  const live = previous.filter((hit) => hit.at > now - rule.windowMs);
  if (live.some((hit) => hit.messageId === messageId)) return { allowed: true, hits: live };
  if (live.length < rule.limit) return { allowed: true, hits: [...live, { messageId, at: now }] };
  const oldest = Math.min(...live.map((hit) => hit.at));
  return { allowed: false, hits: live, retryAfterMs: oldest + rule.windowMs - now };
}
