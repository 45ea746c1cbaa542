/**
 * The Telegram channel: telegraf long polling. The handler only validates, submits to Temporal, and returns;
 * telegraf acknowledges an update (by the next getUpdates offset) after the handler finished, so an update is
 * acknowledged only once Temporal has accepted it.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { Telegraf } from 'telegraf';
import type { RelayStore } from '../../stores/state-store';
import type { RelayConfig } from '../../contracts/config';
import type { InboundMessage } from '../../contracts/message';
import { roleOf, strangerNotice } from '../../domain/access';
import { KeyedSerial } from '../../domain/keyed-serial';
import { builtinCommands } from '../../domain/routing';
import { submitMessage } from '../ingress';
import { addressing, type BotIdentity } from './group-filter';
import { normalizeUpdate, replaceText, type SkipReason } from './normalize';
import { holdPollerLease } from './poller-lease';
import { claimStrangerNotice } from './stranger-gate';

/** What the channel counts; the relay backs it with Prometheus metrics. */
export interface ChannelMetrics {
  telegramUpdateSkipped(reason: SkipReason): void;
  /** A stranger's message refused at the channel; `notified` when this one got the hourly notice. */
  strangerRefused(notified: boolean): void;
}

/** What the composition root hands the channel. */
export interface TelegramChannelDeps {
  client: Client;
  /**
   * The relay's shared store: it remembers which strangers were told, and holds the poller lease, across
   * processes.
   */
  store: RelayStore;
  log: Logger;
  metrics?: ChannelMetrics;
}

export interface TelegramChannel {
  /** Stops taking updates and resolves once the ones already taken were handed to Temporal (or given up). */
  stop(reason: string): Promise<void>;
}

/**
 * Starts receiving Telegram updates and feeding every message to its chat's session workflow. With webhooks
 * every process takes the updates Telegram POSTs to it; with long polling only the holder of the shared poller
 * lease polls (see poller-lease.ts).
 */
export async function startTelegramChannel(
  config: RelayConfig,
  { client, store, log, metrics }: TelegramChannelDeps,
): Promise<TelegramChannel> {
  if (!config.telegram.token) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  let stopping = false;
  const perChat = new KeyedSerial();
  // No handler timeout: an update is acknowledged only after Temporal accepted it, however long that takes.
  const bot = new Telegraf(config.telegram.token, { telegram: { apiRoot: config.telegram.apiRoot }, handlerTimeout: Infinity });

  // Fail fast on a bad token, before polling starts.
  const me = await bot.telegram.getMe();
  const identity: BotIdentity = { id: me.id, username: me.username };

  /** Tells a stranger (once an hour, across every relay process) that they are not allowed. */
  const refuseStranger = async (message: InboundMessage) => {
    const notify = await claimStrangerNotice(store, message.channel, message.userId);
    metrics?.strangerRefused(notify);
    log.debug({ userId: message.userId, chatId: message.chatId, notify }, 'refused a message from a stranger');
    if (!notify) return;
    const replyTo = /^\d+$/.test(message.messageId)
      ? { reply_parameters: { message_id: Number(message.messageId), allow_sending_without_reply: true } }
      : {};
    await bot.telegram
      .sendMessage(message.chatId, strangerNotice(message.userId), replyTo)
      .catch((error: Error) => log.warn({ err: error, userId: message.userId }, 'could not send a stranger their notice'));
  };

  bot.use(async (ctx) => {
    const result = normalizeUpdate(ctx.update);
    if (!result.ok) {
      metrics?.telegramUpdateSkipped(result.skip);
      log.debug({ updateId: ctx.update.update_id, skip: result.skip, reason: result.reason }, 'skipped a Telegram update');
      return;
    }
    const addressed = addressing(ctx.update, identity);
    if (!addressed.addressed) {
      log.debug({ updateId: ctx.update.update_id, reason: addressed.reason }, 'ignored a group message');
      return;
    }
    const message = addressed.text === undefined ? result.message : replaceText(result.message, addressed.text);
    // Stops the button's spinner in the user's app; the answer itself comes as a message.
    const answerButton = async () => {
      if (ctx.callbackQuery) await ctx.answerCbQuery().catch((error: Error) => log.debug({ err: error }, 'answerCallbackQuery failed'));
    };
    // Strangers cost nothing durable: refused here, before any workflow starts.
    if (!roleOf(config.security, message)) {
      await answerButton();
      return refuseStranger(message);
    }
    // telegraf handles a batch of updates concurrently; submitting per chat in arrival order keeps the chat's
    // messages in order (the session workflow then runs them in the order Temporal received them).
    const workflowId = await perChat.run(message.chatId, () =>
      submitUntilAccepted(
        () => submitMessage(client, config.temporal.taskQueue, message),
        log,
        () => stopping,
      ),
    );
    log.debug({ workflowId }, 'message accepted');
    await answerButton();
  });
  // Without this, telegraf rethrows and stops polling.
  bot.catch((error, ctx) => log.error({ err: error, updateId: ctx.update.update_id }, 'Telegram update handling failed'));

  await bot.telegram.setMyCommands(Object.entries(builtinCommands).map(([command, description]) => ({ command, description })));
  const webhook = config.telegram.webhook;
  if (webhook) {
    // Telegram POSTs updates to the public URL (a reverse proxy terminates TLS and forwards to `listen`); the
    // secret header proves a call comes from Telegram, and the reply to it is the acknowledgement, sent only
    // after Temporal accepted the update.
    const url = new URL(webhook.url);
    const [host, port] = splitHostPort(webhook.listen);
    await bot.launch({ webhook: { domain: url.host, path: url.pathname, host, port, secretToken: webhook.secret } });
    log.info({ bot: me.username, url: webhook.url, listen: webhook.listen }, 'Telegram channel receiving webhooks');
  }
  const poller = webhook
    ? undefined
    : holdPollerLease({
        leases: store.leases,
        token: config.telegram.token,
        ttlMs: config.telegram.pollLeaseSeconds * 1000,
        log: log.child({ bot: me.username }),
        startPolling: async () => {
          // `launch` resolves only when polling ends; a failure stops polling until the lease is taken again.
          bot.launch({ dropPendingUpdates: false }).catch((error: Error) => log.error({ err: error }, 'Telegram polling stopped'));
        },
        stopPolling: async () => {
          bot.stop('the poller lease moved');
          await perChat.idle();
        },
      });
  if (!webhook) log.info({ bot: me.username }, 'Telegram channel started (long polling while this process holds the poller lease)');
  return {
    stop: async (reason) => {
      stopping = true;
      if (poller) await poller.stop();
      else bot.stop(reason);
      // Updates already taken finish their submit to Temporal; the next start gets any that were not acknowledged.
      await perChat.idle();
    },
  };
}

/**
 * Retries a submit while Temporal is unreachable, so the update is not acknowledged (and lost) in the meantime:
 * polling waits, and Telegram keeps the update. Gives up only when the channel is stopping.
 */
async function submitUntilAccepted<T>(submit: () => Promise<T>, log: Logger, stopping: () => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit();
    } catch (error) {
      if (stopping()) throw error;
      const delayMs = Math.min(30_000, 250 * 2 ** attempt);
      log.warn({ err: error, attempt, delayMs }, 'Temporal did not accept a Telegram message; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

function splitHostPort(listen: string): [string, number] {
  const at = listen.lastIndexOf(':');
  return [listen.slice(0, at), Number(listen.slice(at + 1))];
}
