import type { InboundMessage } from '../contracts/message';
import { messageWorkflowId } from '../contracts/temporal';
import { translateTelegramError } from './channels/telegram';
import type { ActivityDeps } from './deps';
import { claimOncePerWindow } from '../stores/window-claim';

export interface NotifyUserInput {
  message: InboundMessage;
  /** What the notice is about, e.g. `delayed`; one notice of a kind per message. */
  kind: string;
  text: string;
}

export interface NotifyAdminsInput {
  text: string;
  /** Notices with the same key are sent at most once per `windowMs`. */
  dedupeKey: string;
  windowMs?: number;
}

/**
 * Side notices that are not the answer: telling a user their answer is delayed or failed, and reporting
 * problems to the admins. Each is sent at most once (recorded in the store), so retries never repeat them.
 */
export function createNotifications({ store, telegram, config, clock = Date.now }: ActivityDeps) {
  async function notifyUser({ message, kind, text }: NotifyUserInput): Promise<boolean> {
    // The CLI and Esper read the workflow's outcome; only chat channels get side notices.
    if (message.channel !== 'telegram' || !telegram) return false;
    const key = `notice:${messageWorkflowId(message)}:${kind}`;
    if (await store.read<boolean>(key)) return false;
    try {
      await telegram.sendMessage(message.chatId, text);
    } catch (error) {
      throw translateTelegramError(error);
    }
    await store.update<boolean>(key, () => true);
    return true;
  }

  async function notifyAdmins({ text, dedupeKey, windowMs = 60 * 60_000 }: NotifyAdminsInput): Promise<number> {
    if (!telegram || config.security.admins.length === 0) return 0;
    // Claimed before sending, atomically in the shared store: two workers reporting the same failure at once send
    // it once. A report nobody received gives the claim back, so the retry sends it.
    const claim = await claimOncePerWindow(store, `admin-report:${dedupeKey}`, windowMs, clock());
    if (!claim.claimed) return 0;
    let sent = 0;
    let lastError: unknown;
    for (const admin of config.security.admins) {
      try {
        await telegram.sendMessage(admin, `⚠️ esper-relay: ${text}`);
        sent++;
      } catch (error) {
        // An admin who never opened a chat with the bot cannot be reached; the others still are.
        lastError = error;
      }
    }
    if (sent === 0) {
      await claim.release();
      throw translateTelegramError(lastError);
    }
    return sent;
  }

  return { notifyUser, notifyAdmins };
}
