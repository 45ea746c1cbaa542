import type { Client } from '@temporalio/client';
import type { Telegram } from 'telegraf';
import type { RelayConfig } from '../contracts/config';
import type { WorkspacesFile } from '../contracts/workspaces';
import type { ClaudeGateway } from './claude-gateway';
import type { EsperDeps } from './esper/deps';
import type { RelayStore } from '../stores/state-store';

/** The Bot API calls the activities make; telegraf's `Telegram` client in production. */
export type TelegramApi = Pick<Telegram, 'sendMessage' | 'sendChatAction' | 'getFileLink' | 'editMessageReplyMarkup'>;

/** Counters the activities report to; the worker backs them with Prometheus metrics. */
export interface ActivityMetrics {
  claudeTokens(usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number }): void;
  telegramSent(messages: number): void;
}

/** Everything the activities need, built by the worker (the only place that constructs clients). */
export interface ActivityDeps {
  config: RelayConfig;
  store: RelayStore;
  workspaces: WorkspacesFile;
  /** Absent when no ANTHROPIC_API_KEY is configured: the agent then answers that AI is not configured. */
  claude?: ClaudeGateway;
  /** Absent when no TELEGRAM_BOT_TOKEN is configured. */
  telegram?: TelegramApi;
  metrics?: ActivityMetrics;
  /** The bus to Esper; absent on workers without one (the blueprint pipeline's activities then fail for good). */
  esper?: EsperDeps;
  /**
   * The worker's Temporal client (its connection and codec): the Esper chat commands start and steer pipeline runs
   * with it. Absent in unit tests that do not need it; those commands then say so.
   */
  temporal?: Client;
  clock?: () => number;
}
