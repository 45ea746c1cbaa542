import type { GateDecision, InboundMessage } from '../contracts/message';
import { roleOf, strangerNotice } from '../domain/access';
import { checkRateLimit, type RateLimitHit } from '../domain/rate-limit';
import type { ActivityDeps } from './deps';
import { UsageStore } from '../stores/usage-store';

/**
 * Step 1. Decides whether a message may go on: the sender must be allowed, within the rate limit, and the input
 * within size limits. A stopped message gets a short notice and never reaches the agent.
 */
export function createSecurityGate({ config, store, clock = Date.now }: ActivityDeps) {
  const { rateLimit, maxInputChars, dailyTokenBudget } = config.security;
  const usage = new UsageStore(store);

  return async function securityGate(message: InboundMessage): Promise<GateDecision> {
    const role = roleOf(config.security, message);
    if (!role) {
      return {
        allowed: false,
        reason: 'unauthorized',
        notice: strangerNotice(message.userId),
      };
    }
    const length = message.textLength ?? [...(message.text ?? '')].length;
    if (length > maxInputChars) {
      return {
        allowed: false,
        role,
        reason: 'too_long',
        notice: `Your message is ${length} characters long; the limit is ${maxInputChars}. Please shorten it or send it as a document.`,
      };
    }
    if (message.kind === 'text' && !message.text?.trim()) {
      return { allowed: false, role, reason: 'empty', notice: 'Your message was empty.' };
    }
    if (rateLimit && role !== 'admin') {
      let retryAfterMs: number | undefined;
      await store.update<RateLimitHit[]>(`ratelimit:${message.userId}`, (hits = []) => {
        const verdict = checkRateLimit(rateLimit, hits, `${message.channel}-${message.chatId}-${message.messageId}`, clock());
        retryAfterMs = verdict.allowed ? undefined : verdict.retryAfterMs;
        return verdict.hits;
      });
      if (retryAfterMs !== undefined) {
        return {
          allowed: false,
          role,
          reason: 'rate_limited',
          notice: `You are sending messages too fast. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
        };
      }
    }
    if (dailyTokenBudget !== null && role !== 'admin') {
      const spent = await usage.spentOn(message.userId, clock());
      if (spent >= dailyTokenBudget) {
        return {
          allowed: false,
          role,
          reason: 'budget_exhausted',
          notice: `You have used today's assistant budget (${spent} of ${dailyTokenBudget} tokens). It resets at 00:00 UTC.`,
        };
      }
    }
    return { allowed: true, role };
  };
}
