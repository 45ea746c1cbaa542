/**
 * Group chat etiquette: in groups the bot answers only when it is mentioned, replied to, or given a command;
 * everything else is conversation between people and is left alone. Pure: no I/O.
 */
import { parseTelegramUpdate } from './update-schema';

export interface BotIdentity {
  id: number;
  username: string;
}

export type Addressing = { addressed: true; text?: string } | { addressed: false; reason: string };

/**
 * Whether a message is for the bot; for a group mention, the text with the `@botname` taken out. An update that
 * is no group message (or not a valid update at all) is not filtered here: normalizing it decides.
 */
export function addressing(update: unknown, bot: BotIdentity): Addressing {
  const parsed = parseTelegramUpdate(update);
  const message = parsed.ok ? (parsed.update.message ?? parsed.update.edited_message) : undefined;
  if (!message || message.chat.type === 'private' || message.chat.type === 'channel') return { addressed: true };

  const text = message.text ?? message.caption ?? '';
  const mention = new RegExp(`@${bot.username}\\b`, 'gi');
  if (text.trimStart().startsWith('/')) {
    const addressedTo = /^\s*\/\w+@(\w+)/.exec(text)?.[1];
    if (addressedTo && addressedTo.toLowerCase() !== bot.username.toLowerCase())
      return { addressed: false, reason: `command for @${addressedTo}` };
    return { addressed: true };
  }
  if (mention.test(text))
    return {
      addressed: true,
      text: text
        .replace(mention, '')
        .replace(/\s{2,}/g, ' ')
        .trim(),
    };
  if (message.reply_to_message?.from?.id === bot.id) return { addressed: true };
  return { addressed: false, reason: 'group message not addressed to the bot' };
}
