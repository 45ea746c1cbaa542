import { TelegramError } from 'telegraf';
import { failureTypes, terminalFailure } from '../contracts/errors';
import type { DeliveryReceipt, InboundMessage, ReplyButtons } from '../contracts/message';
import { messageWorkflowId } from '../contracts/temporal';
import { splitText } from '../domain/split-text';
import { htmlToPlainText, renderTelegramHtml, splitTelegramHtml } from '../domain/telegram-html';
import { translateTelegramError } from './channels/telegram';
import { ChatPacer } from './channels/chat-pacer';
import type { ActivityDeps, TelegramApi } from './deps';

export interface DeliverInput {
  message: InboundMessage;
  text: string;
  /** Inline buttons, sent under the last part. */
  buttons?: ReplyButtons;
}

/** Per message: the ids of the parts already sent, so a retried delivery never sends a part twice. */
interface DeliveryLog {
  sent: Record<number, string>;
}

/**
 * Step 5. Delivers the reply through the channel the message came from. Telegram replies are rendered from
 * Claude's markdown to Telegram HTML and split at 4096 characters on paragraph, line or word boundaries (never
 * inside a tag); each sent part's message id is recorded before the next is sent. CLI and Esper replies are the
 * workflow's result, read by whoever started it.
 */
export function createDeliverResponse({ store, telegram, metrics, clock = Date.now }: ActivityDeps) {
  const pacer = new ChatPacer(store, clock);
  return async function deliverResponse({ message, text, buttons }: DeliverInput): Promise<DeliveryReceipt> {
    if (message.channel !== 'telegram') return { channel: message.channel, parts: splitText(text).length, messageIds: [] };
    const parts = splitTelegramHtml(renderTelegramHtml(text));
    if (!telegram)
      throw terminalFailure(
        failureTypes.invalidInput,
        'a Telegram message arrived but TELEGRAM_BOT_TOKEN is not configured on this worker',
      );

    const logKey = `delivery:${messageWorkflowId(message)}`;
    const log = (await store.read<DeliveryLog>(logKey)) ?? { sent: {} };
    for (const [index, part] of parts.entries()) {
      if (log.sent[index]) continue;
      await pacer.waitForTurn(message.chatId);
      const extra = { ...(index === 0 ? replyTo(message) : {}), ...(index === parts.length - 1 ? inlineKeyboard(buttons) : {}) };
      const sent = await sendHtmlPart(telegram, message.chatId, part, extra);
      await pacer.sent(message.chatId);
      metrics?.telegramSent(1);
      log.sent[index] = String(sent.message_id);
      await store.update<DeliveryLog>(logKey, (current = { sent: {} }) => ({
        sent: { ...current.sent, [index]: String(sent.message_id) },
      }));
    }
    return { channel: 'telegram', parts: parts.length, messageIds: parts.map((_, index) => log.sent[index]!) };
  };
}

/**
 * Sends one part as Telegram HTML; if Telegram still rejects the entities, sends the same words as plain text
 * rather than failing the reply.
 */
async function sendHtmlPart(
  telegram: TelegramApi,
  chatId: string,
  html: string,
  extra: ReturnType<typeof replyTo> & ReturnType<typeof inlineKeyboard>,
) {
  try {
    return await telegram.sendMessage(chatId, html, { ...extra, parse_mode: 'HTML' });
  } catch (error) {
    if (!(error instanceof TelegramError && error.code === 400 && /can't parse entities|unsupported start tag/i.test(error.description))) {
      throw translateTelegramError(error);
    }
  }
  try {
    return await telegram.sendMessage(chatId, htmlToPlainText(html), extra);
  } catch (error) {
    throw translateTelegramError(error);
  }
}

/**
 * Replies quote the message they answer. An edit's id is `<message id>-edit-<edit date>` (so it is a message of
 * its own for dedupe); the answer quotes the edited message itself.
 */
function replyTo(message: InboundMessage) {
  const id = Number(/^(\d+)(?:-edit-\d+)?$/.exec(message.messageId)?.[1]);
  return Number.isSafeInteger(id) ? { reply_parameters: { message_id: id, allow_sending_without_reply: true } } : {};
}

/** Telegram's `reply_markup` for the reply's buttons (none when there are none). */
function inlineKeyboard(buttons: ReplyButtons | undefined) {
  if (!buttons || buttons.length === 0) return {};
  return {
    reply_markup: { inline_keyboard: buttons.map((row) => row.map(({ text, callbackData }) => ({ text, callback_data: callbackData }))) },
  };
}
