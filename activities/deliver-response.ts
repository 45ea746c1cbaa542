import { failureTypes, terminalFailure } from '../contracts/errors';
import type { DeliveryReceipt, InboundMessage } from '../contracts/message';
import { messageWorkflowId } from '../contracts/temporal';
import { splitText } from '../domain/split-text';
import { translateTelegramError } from './channels/telegram';
import type { ActivityDeps } from './deps';

export interface DeliverInput {
  message: InboundMessage;
  text: string;
}

/** Per message: the ids of the parts already sent, so a retried delivery never sends a part twice. */
interface DeliveryLog {
  sent: Record<number, string>;
}

/**
 * Step 5. Delivers the reply through the channel the message came from. Telegram replies are split at 4096
 * characters; each sent part's message id is recorded before the next is sent. CLI and Esper replies are the
 * workflow's result, read by whoever started it.
 */
export function createDeliverResponse({ store, telegram }: ActivityDeps) {
  return async function deliverResponse({ message, text }: DeliverInput): Promise<DeliveryReceipt> {
    const parts = splitText(text);
    if (message.channel !== 'telegram') return { channel: message.channel, parts: parts.length, messageIds: [] };
    if (!telegram)
      throw terminalFailure(
        failureTypes.invalidInput,
        'a Telegram message arrived but TELEGRAM_BOT_TOKEN is not configured on this worker',
      );

    const logKey = `delivery:${messageWorkflowId(message)}`;
    const log = (await store.read<DeliveryLog>(logKey)) ?? { sent: {} };
    for (const [index, part] of parts.entries()) {
      if (log.sent[index]) continue;
      let sent;
      try {
        sent = await telegram.sendMessage(message.chatId, part, index === 0 ? replyTo(message) : {});
      } catch (error) {
        throw translateTelegramError(error);
      }
      log.sent[index] = String(sent.message_id);
      await store.update<DeliveryLog>(logKey, (current = { sent: {} }) => ({
        sent: { ...current.sent, [index]: String(sent.message_id) },
      }));
    }
    return { channel: 'telegram', parts: parts.length, messageIds: parts.map((_, index) => log.sent[index]!) };
  };
}

function replyTo(message: InboundMessage) {
  const id = Number(message.messageId);
  return Number.isSafeInteger(id) ? { reply_parameters: { message_id: id, allow_sending_without_reply: true } } : {};
}
