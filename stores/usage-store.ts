import type { StateStore } from './state-store';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

interface DailyUsage extends TokenUsage {
  /** Message ids already counted, so a retried agent step is counted once. */
  messageIds: string[];
}

const emptyUsage = (): DailyUsage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, messageIds: [] });

/** The UTC day (YYYY-MM-DD) a timestamp falls on; budgets reset at 00:00 UTC. */
export const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Claude token usage per user and UTC day, for reporting and the daily budget. */
export class UsageStore {
  constructor(private readonly store: StateStore) {}

  private static keyOf(userId: string, day: string) {
    return `usage:${userId}:${day}`;
  }

  /** Adds one message's usage to its user's day; recording the same message again changes nothing. */
  async record(userId: string, messageId: string, at: number, usage: TokenUsage): Promise<void> {
    await this.store.update<DailyUsage>(UsageStore.keyOf(userId, utcDay(at)), (day = emptyUsage()) => {
      if (day.messageIds.includes(messageId)) return day;
      return {
        inputTokens: day.inputTokens + usage.inputTokens,
        outputTokens: day.outputTokens + usage.outputTokens,
        cacheReadTokens: day.cacheReadTokens + usage.cacheReadTokens,
        cacheWriteTokens: day.cacheWriteTokens + usage.cacheWriteTokens,
        messageIds: [...day.messageIds, messageId],
      };
    });
  }

  /** Tokens a user spent on the UTC day of `at` (input, output and cache writes; cache reads are cheap and excluded). */
  async spentOn(userId: string, at: number): Promise<number> {
    const day = await this.store.read<DailyUsage>(UsageStore.keyOf(userId, utcDay(at)));
    return day ? day.inputTokens + day.outputTokens + day.cacheWriteTokens : 0;
  }
}
