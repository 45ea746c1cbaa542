/**
 * A relay with both doubles: the Claude double, the Telegram Bot API double, a harness whose worker talks to
 * them, and (unless `channel: false`) the real telegraf channel polling the Telegram double, with the relay's
 * store and its own metrics registry.
 */
import type { Logger } from 'pino';
import type { RelayStore } from '../../stores/state-store';
import { startTelegramChannel, type TelegramChannel } from '../../client/telegram/bot';
import { createLogger } from '../../workers/logger';
import { createRelayMetrics, type RelayMetrics } from '../../workers/metrics';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { startHarness, type Harness } from './harness';

export interface TelegramRelay {
  claude: ClaudeDouble;
  telegram: TelegramDouble;
  relay: Harness;
  channel?: TelegramChannel;
  /** The store the channel shares with the worker (the same database). */
  store: RelayStore;
  metrics: RelayMetrics;
  /** Texts the bot sent to a chat, in order. */
  textsTo(chatId: number | string): string[];
  /** One sample of a Prometheus counter (0 when never counted), e.g. `metric('relay_x_total', { reason: 'y' })`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export interface TelegramRelayOptions {
  channel?: boolean;
  /** The channel's logger; silent by default. */
  log?: Logger;
}

export async function startTelegramRelay(env: Record<string, string> = {}, options: TelegramRelayOptions = {}): Promise<TelegramRelay> {
  const claude = await startClaudeDouble();
  const telegram = await startTelegramDouble();
  const relay = await startHarness({
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: claude.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    ...env,
  });
  const store = relay.store;
  const metrics = createRelayMetrics();
  const log = options.log ?? createLogger({ logLevel: 'silent' });
  const channel =
    options.channel === false ? undefined : await startTelegramChannel(relay.config, { client: relay.client, store, log, metrics });
  return {
    claude,
    telegram,
    relay,
    channel,
    store,
    metrics,
    textsTo: (chatId) => telegram.sent.filter((sent) => String(sent.chat_id) === String(chatId)).map((sent) => sent.text),
    metric: async (name, labels = {}) => {
      const metric = await metrics.registry.getSingleMetric(name)?.get();
      const sample = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
      return sample?.value ?? 0;
    },
    stop: async () => {
      await channel?.stop('test over');
      await relay.stop();
      await telegram.close();
      await claude.close();
    },
  };
}
