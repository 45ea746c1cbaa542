/**
 * A relay with both doubles: the Claude double, the Telegram Bot API double, a harness whose worker talks to
 * them, and (unless `channel: false`) the real telegraf channel polling the Telegram double.
 */
import { startTelegramChannel, type TelegramChannel } from '../../client/telegram/bot';
import { createLogger } from '../../workers/logger';
import { startClaudeDouble, type ClaudeDouble } from '../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-double';
import { startHarness, type Harness } from './harness';

export interface TelegramRelay {
  claude: ClaudeDouble;
  telegram: TelegramDouble;
  relay: Harness;
  channel?: TelegramChannel;
  /** Texts the bot sent to a chat, in order. */
  textsTo(chatId: number | string): string[];
  stop(): Promise<void>;
}

export async function startTelegramRelay(env: Record<string, string> = {}, options: { channel?: boolean } = {}): Promise<TelegramRelay> {
  const claude = await startClaudeDouble();
  const telegram = await startTelegramDouble();
  const relay = await startHarness({
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: claude.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    ...env,
  });
  const channel =
    options.channel === false
      ? undefined
      : await startTelegramChannel(relay.config, relay.client, createLogger({ logLevel: 'silent' }), relay.store.leases);
  return {
    claude,
    telegram,
    relay,
    channel,
    textsTo: (chatId) => telegram.sent.filter((sent) => String(sent.chat_id) === String(chatId)).map((sent) => sent.text),
    stop: async () => {
      await channel?.stop('test over');
      await relay.stop();
      await telegram.close();
      await claude.close();
    },
  };
}
