/**
 * Webhook mode: telegraf registers the webhook with the Bot API (double) and serves it; Telegram's calls carry
 * the secret header. A call without the right secret is refused and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../workers/dev-server';
import type { TelegramDouble } from '../../doubles/telegram-double';
import { uniqueChatId, type Harness } from '../support/harness';
import { startTelegramRelay, type TelegramRelay } from '../support/telegram-relay';

const SECRET = 'webhook-secret-0123456789';

describe('Telegram webhook mode', () => {
  let telegram: TelegramDouble;
  let setup: TelegramRelay;
  let relay: Harness;
  let hook: string;

  beforeAll(async () => {
    const port = await freePort();
    hook = `http://127.0.0.1:${port}/telegram/updates`;
    setup = await startTelegramRelay({
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram/updates',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_WEBHOOK_LISTEN: `127.0.0.1:${port}`,
      RELAY_ALLOWED_USERS: '7',
    });
    ({ telegram, relay } = setup);
  });
  afterAll(() => setup?.stop());

  const update = (chatId: string, messageId: number, text: string) => ({
    update_id: messageId,
    message: {
      message_id: messageId,
      date: 0,
      chat: { id: Number(chatId), type: 'private' },
      from: { id: 7, is_bot: false, first_name: 'A' },
      text,
    },
  });
  const post = (body: unknown, secret?: string) =>
    fetch(hook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(body),
    });

  it('registers the webhook with its secret', () => {
    expect(telegram.calls).toContainEqual({
      method: 'setWebhook',
      params: expect.objectContaining({ url: 'https://bot.example.com/telegram/updates', secret_token: SECRET }),
    });
  });

  it('answers an update delivered with the right secret, acknowledging it once Temporal accepted it', async () => {
    const chatId = uniqueChatId();
    const response = await post(update(chatId, 11, 'via webhook'), SECRET);
    expect(response.status).toBe(200);

    const sent = await telegram.waitForSent(telegram.sent.length + 1, 30_000);
    expect(sent.filter((s) => String(s.chat_id) === chatId).map((s) => s.text)).toEqual(['echo: via webhook']);
  });

  it('refuses a call with a wrong or missing secret, and nothing is processed', async () => {
    const chatId = uniqueChatId();
    expect((await post(update(chatId, 12, 'forged'), 'not-the-secret-at-all')).status).toBe(403);
    expect((await post(update(chatId, 13, 'forged'))).status).toBe(403);
    await new Promise((r) => setTimeout(r, 1500));

    expect(telegram.sent.filter((s) => String(s.chat_id) === chatId)).toEqual([]);
    await expect(relay.client.workflow.getHandle(`msg-telegram-${chatId}-12`).describe()).rejects.toThrow();
  });
});
