import { TelegramError, type Telegram } from 'telegraf';
import { failureTypes, retryableFailure, terminalFailure } from '../../contracts/errors';

/**
 * Translates a telegraf error into our failure taxonomy: 429 waits exactly `retry_after`, other 4xx are final
 * ("the API said no"), 5xx and network failures are retried with backoff.
 */
export function translateTelegramError(error: unknown): Error {
  if (error instanceof TelegramError) {
    const retryAfterS = error.parameters?.retry_after;
    if (error.code === 429) {
      return retryableFailure(
        failureTypes.remoteThrottled,
        `Telegram flood limit: ${error.description}`,
        retryAfterS === undefined ? undefined : retryAfterS * 1000,
      );
    }
    if (error.code >= 500) return retryableFailure(failureTypes.remoteFailed, `Telegram failed (${error.code}): ${error.description}`);
    return terminalFailure(failureTypes.remoteRejected, `Telegram rejected the message (${error.code}): ${error.description}`);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code || (error as Error | undefined)?.name === 'FetchError') {
    return retryableFailure(failureTypes.networkFailed, `Telegram unreachable: ${(error as Error).message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** How often Telegram needs the typing action repeated (it shows for about 5 s). */
const TYPING_REFRESH_MS = 4_500;

/**
 * Shows "typing…" in a chat until the returned function is called. Best effort: a failed chat action is
 * cosmetic and never fails the step.
 */
export function keepTyping(telegram: Pick<Telegram, 'sendChatAction'>, chatId: string): () => void {
  const send = () => void telegram.sendChatAction(chatId, 'typing').catch(() => undefined);
  send();
  const timer = setInterval(send, TYPING_REFRESH_MS);
  return () => clearInterval(timer);
}
